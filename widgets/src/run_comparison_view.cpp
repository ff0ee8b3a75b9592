#include "patchout/ui/run_comparison_view.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

QColor colourOf(std::size_t run) { return QColor(QString::fromStdString(runColour(run))); }

// The points a chart shows for a run's curves.
QList<QPointF> pointsOf(RunComparisonView::Chart chart, const TrainingCurves& c) {
    QList<QPointF> p;
    switch (chart) {
    case RunComparisonView::ValidationAccuracy:
        for (const auto& e : c.epochs)
            if (std::isfinite(e.validation_accuracy))
                p.append({static_cast<double>(e.epoch), 100.0 * e.validation_accuracy});
        break;
    case RunComparisonView::Loss:
    case RunComparisonView::LearningRate:
    case RunComparisonView::Speed:
        for (const auto& s : c.steps) {
            const double v = chart == RunComparisonView::Loss           ? s.loss
                             : chart == RunComparisonView::LearningRate ? s.lr
                                                                        : s.examples_per_s;
            if (std::isfinite(v))
                p.append({static_cast<double>(s.step), v});
        }
        break;
    case RunComparisonView::ChartCount:
        break;
    }
    return p;
}

}  // namespace

RunComparisonView::RunComparisonView(QWidget* parent) : QWidget(parent) {
    m_list = new QListWidget(this);
    m_list->setToolTip(tr("The runs compared, each in its colour in every chart"));
    m_add = new QPushButton(tr("Add runs"), this);
    m_addMenu = new QMenu(m_add);
    m_add->setMenu(m_addMenu);
    m_add->setToolTip(tr("A recent run, or a folder: the run itself or every run one level inside it"));
    m_remove = new QPushButton(tr("Remove"), this);
    m_clear = new QPushButton(tr("Clear"), this);
    m_export = new QPushButton(tr("Export…"), this);
    m_export->setToolTip(tr("The charts as PNG or SVG, or every run's curves as CSV"));
    setRecentRuns({});
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_add, m_remove, m_clear, m_export})
        buttons->addWidget(b);
    buttons->addStretch(1);

    const QString titles[ChartCount] = {tr("Training loss"), tr("Validation accuracy"), tr("Learning rate"),
                                        tr("Examples per second")};
    const QString xTitles[ChartCount] = {tr("step"), tr("epoch"), tr("step"), tr("step")};
    const QString yTitles[ChartCount] = {tr("loss"), tr("accuracy (%)"), tr("learning rate"), tr("examples/s")};
    m_charts = new QWidget(this);
    auto* grid = new QGridLayout(m_charts);
    grid->setContentsMargins(0, 0, 0, 0);
    m_series.resize(ChartCount);
    for (int k = 0; k < ChartCount; ++k) {
        auto* chart = new QChart;
        chart->setTitle(titles[k]);
        chart->legend()->hide();
        chart->setMargins(QMargins(2, 2, 2, 2));
        auto* x = new QValueAxis;
        x->setTitleText(xTitles[k]);
        x->setLabelFormat(QStringLiteral("%d"));
        auto* y = new QValueAxis;
        y->setTitleText(yTitles[k]);
        if (k == LearningRate)
            y->setLabelFormat(QStringLiteral("%.1e"));
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        m_views[k] = new QChartView(chart, m_charts);
        m_views[k]->setRenderHint(QPainter::Antialiasing);
        m_views[k]->setMinimumSize(260, 180);
        grid->addWidget(m_views[k], k / 2, k % 2);
    }

    m_differences = new QTableWidget(this);
    m_differences->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_differences->verticalHeader()->hide();
    m_differences->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_differences->setToolTip(tr("The settings of config.json in which the runs differ"));
    m_hint = new QLabel(this);
    m_hint->setWordWrap(true);

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_list, 1);
    sideLayout->addWidget(new QLabel(tr("Settings that differ:"), this));
    sideLayout->addWidget(m_differences, 2);
    auto* splitter = new QSplitter(this);
    splitter->addWidget(side);
    splitter->addWidget(m_charts);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({380, 760});

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_hint);
    layout->addWidget(splitter, 1);

    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int row = m_list->currentRow();
        if (row >= 0 && row < runCount())
            Q_EMIT removeRunRequested(QString::fromStdString(m_runs[static_cast<std::size_t>(row)].dir.string()));
    });
    connect(m_clear, &QPushButton::clicked, this, &RunComparisonView::clearRequested);
    connect(m_export, &QPushButton::clicked, this, &RunComparisonView::exportRequested);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        // The selected run's lines drawn thicker in every chart.
        for (auto& chart : m_series)
            for (std::size_t r = 0; r < chart.size(); ++r) {
                QPen pen = chart[r]->pen();
                pen.setWidthF(static_cast<int>(r) == row ? 3.0 : 1.5);
                chart[r]->setPen(pen);
            }
        m_remove->setEnabled(row >= 0);
    });
    setRuns({}, {});
}

void RunComparisonView::setRecentRuns(const QStringList& dirs) {
    m_addMenu->clear();
    for (const QString& dir : dirs)
        m_addMenu->addAction(dir, this, [this, dir] { Q_EMIT addRunsRequested(dir); });
    if (!dirs.isEmpty())
        m_addMenu->addSeparator();
    m_addMenu->addAction(tr("A run or a folder of runs…"), this, [this] { Q_EMIT addRunsRequested(QString()); });
}

QStringList RunComparisonView::runDirs() const {
    QStringList dirs;
    for (const RunFolder& r : m_runs)
        dirs << QString::fromStdString(r.dir.string());
    return dirs;
}

QLineSeries* RunComparisonView::series(Chart chart, int run) const {
    if (chart < 0 || chart >= ChartCount || run < 0 || run >= static_cast<int>(m_series[chart].size()))
        return nullptr;
    return m_series[chart][static_cast<std::size_t>(run)];
}

void RunComparisonView::setRuns(const std::vector<RunFolder>& runs, const std::vector<OptionDifference>& differences) {
    m_runs = runs;
    m_list->clear();
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const RunFolder& run = runs[r];
        const TrainingCurves::Epoch* best = run.curves.bestEpoch();
        QPixmap swatch(14, 14);
        swatch.fill(colourOf(r));
        const QString text =
            best != nullptr ? tr("%1 — best validation %2% (epoch %3 of %4)")
                                  .arg(QString::fromStdString(runLabel(run)))
                                  .arg(100 * best->validation_accuracy, 0, 'f', 1)
                                  .arg(best->epoch)
                            .arg(run.curves.epochs.size())
                      : tr("%1 — %2 epochs, no validation").arg(QString::fromStdString(runLabel(run))).arg(run.curves.epochs.size());
        auto* item = new QListWidgetItem(QIcon(swatch), text, m_list);
        item->setToolTip(QString::fromStdString(run.dir.string()));
    }
    for (int k = 0; k < ChartCount; ++k) {
        QChart* chart = m_views[k]->chart();
        for (QLineSeries* s : m_series[k]) {
            chart->removeSeries(s);
            delete s;
        }
        m_series[k].clear();
        double x1 = 1, y0 = INFINITY, y1 = -INFINITY;
        for (std::size_t r = 0; r < runs.size(); ++r) {
            auto* s = new QLineSeries;
            s->setName(QString::fromStdString(runLabel(runs[r])));
            const QList<QPointF> points = pointsOf(static_cast<Chart>(k), runs[r].curves);
            for (const QPointF& p : points) {
                x1 = std::max(x1, p.x());
                y0 = std::min(y0, p.y());
                y1 = std::max(y1, p.y());
            }
            s->replace(points);
            s->setPointsVisible(k == ValidationAccuracy);
            QPen pen(colourOf(r));
            pen.setWidthF(1.5);
            s->setPen(pen);
            s->setColor(colourOf(r));
            chart->addSeries(s);
            for (QAbstractAxis* axis : chart->axes())
                s->attachAxis(axis);
            m_series[k].push_back(s);
        }
        if (!std::isfinite(y0)) {
            y0 = 0;
            y1 = 1;
        }
        if (!(y1 > y0)) {
            y0 -= 0.5 * std::max(std::abs(y0), 1e-9);
            y1 += 0.5 * std::max(std::abs(y1), 1e-9);
        }
        const double pad = 0.05 * (y1 - y0);
        auto* x = static_cast<QValueAxis*>(chart->axes(Qt::Horizontal).front());
        auto* y = static_cast<QValueAxis*>(chart->axes(Qt::Vertical).front());
        x->setRange(0, x1);
        y->setRange(y0 >= 0 ? std::max(0.0, y0 - pad) : y0 - pad, y1 + pad);  // no negative loss or rate
        x->applyNiceNumbers();
        y->setTickType(QValueAxis::TicksFixed);
        y->applyNiceNumbers();
        if (k == ValidationAccuracy && y->max() > 100) {  // nice numbers ran past 100%: stop there
            y->setRange(y->min(), 100);
            const double span = 100 - y->min();
            y->setTickType(QValueAxis::TicksDynamic);
            y->setTickAnchor(100);
            y->setTickInterval(span > 50 ? 20 : span > 20 ? 10 : span > 10 ? 5 : 1);
        }
    }
    m_differences->clear();
    m_differences->setColumnCount(static_cast<int>(runs.size()) + 1);
    QStringList header{tr("setting")};
    for (const RunFolder& run : runs)
        header << QString::fromStdString(runLabel(run));
    m_differences->setHorizontalHeaderLabels(header);
    m_differences->setRowCount(static_cast<int>(differences.size()));
    for (int i = 0; i < static_cast<int>(differences.size()); ++i) {
        const OptionDifference& d = differences[static_cast<std::size_t>(i)];
        m_differences->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(d.name)));
        for (std::size_t r = 0; r < d.values.size() && r < runs.size(); ++r) {
            auto* item = new QTableWidgetItem(d.values[r].empty() ? tr("(none)") : QString::fromStdString(d.values[r]));
            item->setForeground(colourOf(r));
            m_differences->setItem(i, static_cast<int>(r) + 1, item);
        }
    }
    m_hint->setText(runs.empty() ? tr("Add two runs or more (Add runs: a recent run, a run folder, or a folder "
                                      "holding runs) to see their curves overlaid and the settings in which they differ.")
                    : runs.size() == 1 ? tr("One run: add another to compare.")
                    : differences.empty() ? tr("%1 runs with the same settings.").arg(runs.size())
                                          : tr("%1 runs, differing in %2 settings.").arg(runs.size()).arg(differences.size()));
    m_remove->setEnabled(false);
    m_clear->setEnabled(!runs.empty());
    m_export->setEnabled(!runs.empty());
}

QPixmap RunComparisonView::chartsPicture() const { return m_charts->grab(); }

}  // namespace patchout::ui
