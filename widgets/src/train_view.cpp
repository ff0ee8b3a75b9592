#include "patchout/ui/train_view.h"

#include "view_parts.h"

#include "patchout/ui/run_comparison_view.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QStackedWidget>
#include <QTabWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

QChartView* makeChart(const QString& title, QValueAxis* x, QValueAxis* y, QWidget* parent) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 240);
    return view;
}

void attach(QChart* chart, QXYSeries* series, QValueAxis* x, QValueAxis* y) {
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
}

// Ticks at 1, 2 or 5 x 10^k, about `ticks` of them over [0, span].
void niceTicks(QValueAxis* axis, double span, int ticks = 5) {
    const double raw = std::max(span, 1.0) / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : raw / magnitude < 7.5 ? 5 : 10;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(std::max(1.0, step * magnitude));
}

// An axis range with a little room, never empty.
void fit(QValueAxis* axis, double lo, double hi, double floor = -INFINITY) {
    if (!(hi > lo)) {
        lo -= 0.5;
        hi += 0.5;
    }
    const double pad = 0.05 * (hi - lo);
    axis->setRange(std::max(floor, lo - pad), hi + pad);
    axis->applyNiceNumbers();
}

}  // namespace

TrainView::TrainView(QWidget* parent) : QWidget(parent) {
    m_summary = detail::summaryLabel(this);

    m_stepX = new QValueAxis;
    m_stepX->setTitleText(tr("step"));
    m_stepX->setLabelFormat(QStringLiteral("%d"));
    m_lossY = new QValueAxis;
    m_lossY->setTitleText(tr("loss"));
    m_epochX = new QValueAxis;
    m_epochX->setTitleText(tr("epoch"));
    m_epochX->setLabelFormat(QStringLiteral("%d"));
    m_accuracyY = new QValueAxis;
    m_accuracyY->setTitleText(tr("accuracy (%)"));
    m_accuracyY->setLabelFormat(QStringLiteral("%.0f"));

    m_lossView = makeChart(tr("Loss"), m_stepX, m_lossY, this);
    m_accuracyView = makeChart(tr("Validation accuracy"), m_epochX, m_accuracyY, this);
    m_trainLoss = new QLineSeries;
    m_trainLoss->setName(tr("training (logged steps)"));
    m_valLoss = new QLineSeries;
    m_valLoss->setName(tr("validation (per epoch)"));
    m_valLoss->setPointsVisible(true);
    m_accuracy = new QLineSeries;
    m_accuracy->setName(tr("validation accuracy"));
    m_accuracy->setPointsVisible(true);
    m_best = new QScatterSeries;
    m_best->setName(tr("best epoch"));
    m_best->setMarkerSize(12);
    m_best->setColor(QColor(220, 50, 47));
    attach(m_lossView->chart(), m_trainLoss, m_stepX, m_lossY);
    attach(m_lossView->chart(), m_valLoss, m_stepX, m_lossY);
    attach(m_accuracyView->chart(), m_accuracy, m_epochX, m_accuracyY);
    attach(m_accuracyView->chart(), m_best, m_epochX, m_accuracyY);

    auto* charts = new QWidget(this);
    auto* row = new QHBoxLayout(charts);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_lossView, 1);
    row->addWidget(m_accuracyView, 1);
    m_stack = detail::emptyOrContent(tr("No run open.\nFile > Open run folder… (Ctrl+Shift+O) or drop a run "
                                "folder on the window: the folder `patchout train --out` or "
                                "`patchout demo` writes."), charts, this);

    m_newRun = new QPushButton(tr("New training run…"), this);
    m_newRun->setToolTip(tr("Train a model on a dataset folder (Ctrl+T)"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setToolTip(tr("Stop the training: its state is saved and it can be resumed"));
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* controls = new QHBoxLayout;
    controls->addWidget(m_newRun);
    controls->addWidget(m_stop);
    controls->addWidget(m_status, 1);
    connect(m_newRun, &QPushButton::clicked, this, &TrainView::newRunRequested);
    connect(m_stop, &QPushButton::clicked, this, [this] {
        m_stop->setEnabled(false);  // once: the app confirms with setTraining(false)
        Q_EMIT stopRequested();
    });

    auto* thisRun = new QWidget(this);
    auto* runLayout = new QVBoxLayout(thisRun);
    runLayout->setContentsMargins(0, 0, 0, 0);
    runLayout->addWidget(m_summary);
    runLayout->addWidget(m_stack, 1);
    m_comparison = new RunComparisonView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(thisRun, tr("This run"));
    m_tabs->addTab(m_comparison, tr("Runs side by side"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_tabs, 1);
    clear();
    setTraining(false);
}

void TrainView::setTraining(bool running, const QString& status) {
    // Stop stays disabled after a click until this run ends; a new run enables it again.
    if (!running || !m_training)
        m_stop->setEnabled(true);
    m_training = running;
    m_newRun->setEnabled(!running);
    m_stop->setVisible(running);
    m_status->setText(status);
}

QString TrainView::trainingStatus() const { return m_status->text(); }

void TrainView::showComparison(bool show) { m_tabs->setCurrentWidget(show ? static_cast<QWidget*>(m_comparison) : m_tabs->widget(0)); }

bool TrainView::comparisonShown() const { return m_tabs->currentWidget() == m_comparison; }

void TrainView::clear() {
    m_hasRun = false;
    m_trainLoss->clear();
    m_valLoss->clear();
    m_accuracy->clear();
    m_best->clear();
    m_summary->clear();
    m_stack->setCurrentIndex(0);
}

void TrainView::setRun(const QString& title, const TrainingCurves& curves, int plannedEpochs,
                       const QString& split) {
    QList<QPointF> train, validation, accuracy;
    double lossLo = INFINITY, lossHi = -INFINITY;
    auto lossPoint = [&](QList<QPointF>& to, double x, double loss) {
        if (!std::isfinite(loss))
            return;
        to.append({x, loss});
        lossLo = std::min(lossLo, loss);
        lossHi = std::max(lossHi, loss);
    };
    for (const auto& s : curves.steps)
        lossPoint(train, static_cast<double>(s.step), s.loss);
    double seconds = 0;
    int timed = 0;
    for (const auto& e : curves.epochs) {
        lossPoint(validation, static_cast<double>(e.step), e.validation_loss);
        if (std::isfinite(e.validation_accuracy))
            accuracy.append({static_cast<double>(e.epoch), 100.0 * e.validation_accuracy});
        if (std::isfinite(e.seconds)) {
            seconds += e.seconds;
            ++timed;
        }
    }
    m_trainLoss->replace(train);
    m_valLoss->replace(validation);
    m_accuracy->replace(accuracy);
    const TrainingCurves::Epoch* best = curves.bestEpoch();
    m_best->clear();
    if (best != nullptr)
        m_best->append(best->epoch, 100.0 * best->validation_accuracy);

    const double lastStep = curves.steps.empty() && curves.epochs.empty()
                                ? 1.0
                                : static_cast<double>(std::max(
                                      curves.steps.empty() ? 0 : curves.steps.back().step,
                                      curves.epochs.empty() ? 0 : curves.epochs.back().step));
    m_stepX->setRange(0, std::max(1.0, lastStep));
    niceTicks(m_stepX, lastStep);
    if (std::isfinite(lossLo))
        fit(m_lossY, lossLo, lossHi, 0.0);
    const int epochs = curves.epochs.empty() ? 0 : curves.epochs.back().epoch;
    const int epochSpan = std::max({1, epochs, plannedEpochs});
    m_epochX->setRange(0, epochSpan);
    niceTicks(m_epochX, epochSpan);
    double accLo = 100;
    for (const auto& p : accuracy)
        accLo = std::min(accLo, p.y());
    // Whole tens from below the worst epoch to 100, a tick every 10 (or 20 over a wide range).
    const double accFloor = accuracy.isEmpty() ? 0.0 : std::max(0.0, std::floor(accLo / 10) * 10);
    m_accuracyY->setRange(accFloor, 100);
    m_accuracyY->setTickType(QValueAxis::TicksDynamic);
    m_accuracyY->setTickAnchor(0);
    m_accuracyY->setTickInterval(100 - accFloor > 50 ? 20 : 10);

    QString text = QStringLiteral("<b>%1</b> &mdash; ").arg(title.toHtmlEscaped());
    text += plannedEpochs > 0 ? tr("epoch %1 of %2").arg(epochs).arg(plannedEpochs)
                              : tr("%1 epochs").arg(epochs);
    if (!curves.steps.empty())
        text += tr(", %1 steps").arg(curves.steps.back().step);
    if (best != nullptr)
        text += tr(", best validation accuracy %1% at epoch %2")
                    .arg(100.0 * best->validation_accuracy, 0, 'f', 1)
                    .arg(best->epoch);
    else if (!curves.epochs.empty())
        text += tr(", no validation clips");
    if (timed > 0)
        text += tr(", %1 s per epoch").arg(seconds / timed, 0, 'f', 1);
    if (curves.epochs.empty() && curves.steps.empty())
        text += tr(", nothing logged yet");
    if (!split.isEmpty())
        text += QStringLiteral("<br>") + split.toHtmlEscaped();
    m_summary->setText(text);
    m_hasRun = true;
    m_stack->setCurrentIndex(1);
}

QString TrainView::summary() const { return m_summary->text(); }

}  // namespace patchout::ui
