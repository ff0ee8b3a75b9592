#include "patchout/ui/evaluate_view.h"

#include "view_parts.h"

#include "patchout/ui/colour_map.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QScatterSeries>
#include <QShortcut>
#include <QSlider>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

constexpr int kMaxLabelWidth = 110;

QStringList toQStrings(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v)
        out << QString::fromStdString(s);
    return out;
}

QChartView* curveChart(QLineSeries* series, QLineSeries* extra, const QString& x, const QString& y,
                       QWidget* parent) {
    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto* ax = new QValueAxis;
    ax->setRange(0, 1);
    ax->setTitleText(x);
    ax->setTickCount(6);
    auto* ay = new QValueAxis;
    ay->setRange(0, 1.02);
    ay->setTitleText(y);
    ay->setTickCount(6);
    ay->setLabelFormat(QStringLiteral("%.1f"));
    ax->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    for (QLineSeries* s : {series, extra}) {
        if (s == nullptr)
            continue;
        chart->addSeries(s);
        s->attachAxis(ax);
        s->attachAxis(ay);
    }
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(260, 200);
    return view;
}

QTableWidgetItem* numberItem(double value, int decimals) {
    return new detail::NumberItem(std::isfinite(value) ? value : -INFINITY,
                                  std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("–"));
}

QString percent(double v) { return QStringLiteral("%1%").arg(100.0 * v, 0, 'f', 1); }

// What a comparison is against: RUN/baseline/predictions.csv is the run's classical floor
// (patchout baseline), anything else is named by its folder.
QString comparisonSource(const BaselineComparison& comparison) {
    const QString folder = QString::fromStdString(comparison.baseline_source.parent_path().filename().string());
    return folder == QLatin1String("baseline") ? EvaluateView::tr("the classical floor") : folder;
}

// Where a clip table keeps the clip's file name as the predictions give it.
constexpr int kFileRole = Qt::UserRole + 1;

QTableWidgetItem* fileItem(const std::string& file) {
    auto* item = new QTableWidgetItem(QString::fromStdString(file));
    item->setData(kFileRole, QString::fromStdString(file));
    item->setToolTip(QString::fromStdString(file));
    return item;
}

}  // namespace

// ---- ConfusionMatrixView -------------------------------------------------------------------

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(240, 240);
    setToolTip(tr("Rows: true class; columns: predicted class. Colour: share of the row. Click a "
                  "cell to list its clips and show its class's curves."));
}

void ConfusionMatrixView::setMatrix(const ConfusionMatrix& matrix, const QStringList& labels, bool multiLabel) {
    m_difference = false;
    m_multiLabel = multiLabel;
    setToolTip(multiLabel ? tr("Rows: true class; columns: the classes said present at the thresholds. The diagonal "
                               "counts the clips where their class was found, a cell beside it the clips of the row's "
                               "class where the column's was said though it is not theirs. Click a cell to list its clips.")
                          : tr("Rows: true class; columns: predicted class. Colour: share of the row. Click a "
                               "cell to list its clips and show its class's curves."));
    m_matrix = matrix;
    m_shares = matrix.n_classes > 0 ? matrix.rowNormalised() : std::vector<double>{};
    m_labels = labels;
    m_readout.clear();
    update();
}

QSize ConfusionMatrixView::sizeHint() const { return {420, 420}; }

QRect ConfusionMatrixView::matrixRect() const {
    const int n = static_cast<int>(m_matrix.n_classes);
    if (n == 0)
        return {};
    const QFontMetrics fm(font());
    int labelWidth = 0;
    for (const QString& l : m_labels)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(l));
    const int left = std::min(labelWidth, kMaxLabelWidth) + fm.height() + 10;
    const int top = 2 * fm.height() + 8;
    const int cell = std::max(1, std::min((width() - left - 6) / n, (height() - top - 6) / n));
    return {left, top, cell * n, cell * n};
}

QRect ConfusionMatrixView::cellRect(int trueClass, int predicted) const {
    const int n = static_cast<int>(m_matrix.n_classes);
    if (trueClass < 0 || predicted < 0 || trueClass >= n || predicted >= n)
        return {};
    const QRect m = matrixRect();
    const int cell = m.width() / n;
    return {m.left() + predicted * cell, m.top() + trueClass * cell, cell, cell};
}

int ConfusionMatrixView::cellAt(const QPoint& pos, int* trueClass, int* predicted) const {
    const QRect m = matrixRect();
    if (!m.contains(pos))
        return -1;
    const int n = static_cast<int>(m_matrix.n_classes);
    const int cell = m.width() / n;
    *predicted = std::min(n - 1, (pos.x() - m.left()) / cell);
    *trueClass = std::min(n - 1, (pos.y() - m.top()) / cell);
    return *trueClass * n + *predicted;
}

bool ConfusionMatrixView::setDifference(const ConfusionMatrix& ours, const ConfusionMatrix& baseline) {
    if (ours.n_classes != m_matrix.n_classes || baseline.n_classes != m_matrix.n_classes || m_matrix.n_classes == 0)
        return false;
    m_diffOurs = ours;
    m_diffBaseline = baseline;
    m_difference = true;
    m_readout.clear();
    update();
    return true;
}

void ConfusionMatrixView::clearDifference() {
    m_difference = false;
    update();
}

QColor ConfusionMatrixView::differenceColour(std::int64_t delta, bool diagonal, std::int64_t largest) {
    if (delta == 0 || largest <= 0)
        return QColor(236, 236, 236);
    const bool better = diagonal ? delta > 0 : delta < 0;
    const double strength = 0.35 + 0.65 * std::min(1.0, static_cast<double>(std::abs(delta)) / static_cast<double>(largest));
    const QColor full = better ? QColor(26, 150, 65) : QColor(215, 48, 39);
    auto mix = [strength](int from, int to) { return static_cast<int>(std::lround(from + (to - from) * strength)); };
    return QColor(mix(236, full.red()), mix(236, full.green()), mix(236, full.blue()));
}

QString ConfusionMatrixView::readoutAt(const QPoint& pos) const {
    int t = 0, p = 0;
    if (cellAt(pos, &t, &p) < 0)
        return {};
    if (m_difference) {
        const auto here = m_diffOurs.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
        const auto there = m_diffBaseline.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
        return tr("true %1, predicted %2: %3 clips here, %4 with the baseline (%5)")
            .arg(m_labels.value(t), m_labels.value(p))
            .arg(here)
            .arg(there)
            .arg(here - there > 0 ? QStringLiteral("+%1").arg(here - there) : QString::number(here - there));
    }
    const auto count = m_matrix.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
    if (m_multiLabel)
        return t == p ? tr("%1 found in %2 clips").arg(m_labels.value(t)).arg(count)
                      : tr("true %1, %2 said though not theirs: %3 clips").arg(m_labels.value(t), m_labels.value(p)).arg(count);
    const double share = m_shares[static_cast<std::size_t>(t) * m_matrix.n_classes + static_cast<std::size_t>(p)];
    return tr("true %1, predicted %2: %3 clips (%4 of %1)")
        .arg(m_labels.value(t), m_labels.value(p))
        .arg(count)
        .arg(percent(share));
}

void ConfusionMatrixView::mouseMoveEvent(QMouseEvent* event) {
    const QString text = readoutAt(event->position().toPoint());
    if (text != m_readout) {
        m_readout = text;
        update();
    }
}

void ConfusionMatrixView::mousePressEvent(QMouseEvent* event) {
    int t = 0, p = 0;
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &t, &p) >= 0) {
        Q_EMIT classClicked(t);
        Q_EMIT cellClicked(t, p);
    }
}

void ConfusionMatrixView::leaveEvent(QEvent*) {
    m_readout.clear();
    update();
}

void ConfusionMatrixView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    const int n = static_cast<int>(m_matrix.n_classes);
    const QFontMetrics fm(font());
    if (n == 0) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("No confusion matrix (multi-label evaluation)"));
        return;
    }
    const QRect m = matrixRect();
    const int cell = m.width() / n;
    std::int64_t largest = 0;
    if (m_difference)
        for (std::size_t i = 0; i < m_diffOurs.counts.size(); ++i)
            largest = std::max(largest, std::abs(m_diffOurs.counts[i] - m_diffBaseline.counts[i]));
    for (int t = 0; t < n && m_difference; ++t)
        for (int p = 0; p < n; ++p) {
            const QRect r = cellRect(t, p);
            const auto delta = m_diffOurs.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p)) -
                               m_diffBaseline.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
            const QColor c = differenceColour(delta, t == p, largest);
            painter.fillRect(r, c);
            const QString text = delta > 0 ? QStringLiteral("+%1").arg(delta) : QString::number(delta);
            if (delta != 0 && fm.horizontalAdvance(text) + 4 <= cell && fm.height() <= cell) {
                painter.setPen(c.lightnessF() > 0.5 ? Qt::black : Qt::white);
                painter.drawText(r, Qt::AlignCenter, text);
            }
        }
    for (int t = 0; t < n && !m_difference; ++t)
        for (int p = 0; p < n; ++p) {
            const QRect r = cellRect(t, p);
            const double share = m_shares[static_cast<std::size_t>(t * n + p)];
            const QColor c = colourAt(ColourMap::Viridis, share);
            painter.fillRect(r, c);
            const auto count = m_matrix.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
            const QString text = QString::number(count);
            if (count > 0 && fm.horizontalAdvance(text) + 4 <= cell && fm.height() <= cell) {
                painter.setPen(c.lightnessF() > 0.5 ? Qt::black : Qt::white);
                painter.drawText(r, Qt::AlignCenter, text);
            }
        }
    painter.setPen(palette().color(QPalette::WindowText));
    // Row labels (true) at the left, column labels (predicted) above when they fit.
    for (int i = 0; i < n && cell >= fm.height() - 2; ++i) {
        const QRect row(0, m.top() + i * cell, m.left() - 4, cell);
        painter.drawText(row, Qt::AlignRight | Qt::AlignVCenter,
                         fm.elidedText(m_labels.value(i), Qt::ElideRight, std::min(kMaxLabelWidth, row.width())));
        const QRect col(m.left() + i * cell, m.top() - fm.height() - 2, cell, fm.height());
        painter.drawText(col, Qt::AlignCenter, fm.elidedText(m_labels.value(i), Qt::ElideRight, cell));
    }
    painter.drawText(QRect(m.left(), 2, m.width(), fm.height()), Qt::AlignCenter,
                     m_multiLabel ? tr("said present") : tr("predicted"));
    painter.save();
    painter.translate(fm.height() / 2 + 2, m.center().y());
    painter.rotate(-90);
    painter.drawText(QRect(-m.height() / 2, -fm.height() / 2, m.height(), fm.height()), Qt::AlignCenter,
                     tr("true"));
    painter.restore();
    if (!m_readout.isEmpty()) {
        const QRect box(4, height() - fm.height() - 6, width() - 8, fm.height() + 4);
        painter.fillRect(box, QColor(0, 0, 0, 170));
        painter.setPen(Qt::white);
        painter.drawText(box, Qt::AlignCenter, m_readout);
    }
}

// ---- EvaluateView ------------------------------------------------------------------------

EvaluateView::EvaluateView(QWidget* parent) : QWidget(parent) {
    m_summary = detail::summaryLabel(this);
    m_confusion = new ConfusionMatrixView(this);

    m_roc = new QLineSeries;
    m_rocChance = new QLineSeries;
    m_rocChance->append(0, 0);
    m_rocChance->append(1, 1);
    QPen dashed(Qt::gray);
    dashed.setStyle(Qt::DashLine);
    m_rocChance->setPen(dashed);
    m_pr = new QLineSeries;
    m_rocView = curveChart(m_roc, m_rocChance, tr("false positive rate"), tr("true positive rate"), this);
    m_prView = curveChart(m_pr, nullptr, tr("recall"), tr("precision"), this);
    m_operating = new QScatterSeries;
    m_operating->setMarkerSize(11);
    m_operating->setColor(QColor(220, 50, 47));
    m_prView->chart()->addSeries(m_operating);
    for (QAbstractAxis* axis : m_prView->chart()->axes())
        m_operating->attachAxis(axis);
    m_classChoice = new QComboBox(this);
    m_classChoice->setToolTip(tr("Class whose one-against-the-rest curves are shown"));

    auto* curves = new QWidget(this);
    auto* curveLayout = new QVBoxLayout(curves);
    curveLayout->setContentsMargins(0, 0, 0, 0);
    auto* choiceRow = new QHBoxLayout;
    choiceRow->addWidget(new QLabel(tr("Class:"), this));
    choiceRow->addWidget(m_classChoice, 1);
    curveLayout->addLayout(choiceRow);
    auto* chartsRow = new QHBoxLayout;
    chartsRow->addWidget(m_rocView);
    chartsRow->addWidget(m_prView);
    curveLayout->addLayout(chartsRow, 1);

    m_classes = new QTableWidget(this);
    m_classes->setColumnCount(7);
    m_classes->setHorizontalHeaderLabels({tr("class"), tr("precision"), tr("recall"), tr("F1"),
                                          tr("support"), tr("ROC-AUC"), tr("AP")});
    m_failures = new QTableWidget(this);
    m_failures->setColumnCount(5);
    m_failures->setHorizontalHeaderLabels({tr("file"), tr("true"), tr("predicted"), tr("score"),
                                           tr("score of the true class")});
    m_cellClips = new QTableWidget(this);
    m_cellClips->setColumnCount(5);
    m_cellClips->setHorizontalHeaderLabels({tr("file"), tr("true"), tr("predicted"), tr("score"), tr("margin")});
    m_cellClips->horizontalHeaderItem(4)->setToolTip(
        tr("A right clip's lead over the runner-up class; a wrong clip's lead over its true class (small: nearly right)"));
    m_flipped = new QTableWidget(this);
    m_flipped->setColumnCount(5);
    m_flipped->setHorizontalHeaderLabels({tr("file"), tr("true"), tr("this model"), tr("baseline"), tr("change")});
    m_comparisonText = new QLabel(this);
    m_comparisonText->setTextFormat(Qt::RichText);
    m_comparisonText->setWordWrap(true);
    m_comparisonText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_showDifference = new QCheckBox(tr("Show the matrix as this model minus the baseline"), this);
    m_showDifference->setToolTip(tr("Green: this model does better there (more on the diagonal, fewer off it); "
                                    "red: worse. On the clips both scored."));
    m_comparisonPage = new QWidget(this);
    auto* comparisonLayout = new QHBoxLayout(m_comparisonPage);
    comparisonLayout->setContentsMargins(4, 4, 4, 4);
    auto* textColumn = new QVBoxLayout;
    textColumn->addWidget(m_comparisonText, 1);
    textColumn->addWidget(m_showDifference);
    comparisonLayout->addLayout(textColumn, 1);
    comparisonLayout->addWidget(m_flipped, 1);
    for (QTableWidget* t : {m_classes, m_failures, m_cellClips, m_flipped}) {
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->setSelectionMode(QAbstractItemView::SingleSelection);
        t->verticalHeader()->hide();
        t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);  // class / file
    }
    m_reliability = new QLineSeries;
    m_reliability->setPointsVisible(true);
    auto* diagonal = new QLineSeries;
    diagonal->append(0, 0);
    diagonal->append(1, 1);
    diagonal->setPen(dashed);
    m_reliabilityView = curveChart(m_reliability, diagonal, tr("confidence (mean score in the bin)"),
                                   tr("share right"), this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_classes, tr("Per class"));
    m_tabs->addTab(m_failures, tr("Most confident failures"));
    m_tabs->addTab(m_cellClips, tr("Clips of a cell"));
    m_tabs->addTab(m_reliabilityView, tr("Reliability"));
    m_tabs->addTab(m_comparisonPage, tr("Comparison"));
    // Thresholds (multi-label).
    auto slider = [this] {
        auto* s = new QSlider(Qt::Horizontal, this);
        s->setRange(0, 1000);
        return s;
    };
    m_classThreshold = slider();
    m_classThreshold->setToolTip(tr("The selected class's threshold: present when its score reaches it"));
    m_globalThreshold = slider();
    m_globalThreshold->setToolTip(tr("The threshold of every class without its own"));
    m_classThresholdText = new QLabel(this);
    m_globalThresholdText = new QLabel(this);
    for (QLabel* l : {m_classThresholdText, m_globalThresholdText}) {
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_saveThresholds = new QPushButton(tr("Save into the run"), this);
    m_saveThresholds->setToolTip(tr("RUN/thresholds.json: classify's \"present\" classes and live classification use them"));
    auto* useGlobal = new QPushButton(tr("Use the global one"), this);
    useGlobal->setToolTip(tr("Drop the selected class's own threshold"));
    m_thresholdPage = new QWidget(this);
    auto* thresholdForm = new QFormLayout(m_thresholdPage);
    // Both sliders span the same width, so equal thresholds sit at the same place.
    auto* classRow = new QHBoxLayout;
    classRow->addWidget(m_classThresholdText, 1);
    classRow->addWidget(useGlobal);
    thresholdForm->addRow(tr("This class:"), m_classThreshold);
    thresholdForm->addRow(QString(), classRow);
    thresholdForm->addRow(tr("Every other class:"), m_globalThreshold);
    thresholdForm->addRow(QString(), m_globalThresholdText);
    auto* note = new QLabel(tr("Choose them on validation clips (Run > Evaluate run…, split validation): chosen on "
                               "the test clips, the test scores are no longer honest."),
                            this);
    note->setWordWrap(true);
    thresholdForm->addRow(QString(), note);
    auto* saveRow = new QHBoxLayout;
    saveRow->addWidget(m_saveThresholds);
    saveRow->addStretch(1);
    thresholdForm->addRow(QString(), saveRow);
    m_tabs->addTab(m_thresholdPage, tr("Thresholds"));
    m_tabs->setTabVisible(m_tabs->indexOf(m_thresholdPage), false);
    connect(m_classThreshold, &QSlider::valueChanged, this, [this](int v) {
        const int cls = selectedClass();
        if (!m_hasReport || cls < 0 || cls >= static_cast<int>(m_report.classes.size()))
            return;
        m_thresholds.per_class[m_report.classes[static_cast<std::size_t>(cls)]] = v / 1000.0;
        showThresholds();
    });
    connect(m_globalThreshold, &QSlider::valueChanged, this, [this](int v) {
        m_thresholds.global = v / 1000.0;
        showThresholds();
    });
    connect(useGlobal, &QPushButton::clicked, this, [this] {
        const int cls = selectedClass();
        if (m_hasReport && cls >= 0 && cls < static_cast<int>(m_report.classes.size()))
            m_thresholds.per_class.erase(m_report.classes[static_cast<std::size_t>(cls)]);
        showThresholds();
    });
    connect(m_saveThresholds, &QPushButton::clicked, this, [this] { Q_EMIT saveThresholdsRequested(m_thresholds); });
    m_tabs->setTabVisible(m_tabs->indexOf(m_comparisonPage), false);
    m_play = new QPushButton(tr("Play"), this);
    m_play->setToolTip(tr("Play the selected clip (Enter)"));
    m_open = new QPushButton(tr("Open in Listen"), this);
    m_open->setToolTip(tr("Show the selected clip in Listen: its spectrogram and the model's timeline (double-click)"));
    m_explain = new QPushButton(tr("Explain…"), this);
    m_explain->setToolTip(tr("What the model looked at in the selected clip for the class it predicted: "
                             "occlusion by patchout or attention rollout over its log-mel"));
    auto* clipRow = new QHBoxLayout;
    clipRow->addWidget(m_play);
    clipRow->addWidget(m_open);
    clipRow->addWidget(m_explain);
    clipRow->addWidget(new QLabel(tr("Click a cell of the matrix to list its clips; select one to hear it."), this), 1);
    auto* bottom = new QWidget(this);
    auto* bottomLayout = new QVBoxLayout(bottom);
    bottomLayout->setContentsMargins(0, 0, 0, 0);
    bottomLayout->addWidget(m_tabs, 1);
    bottomLayout->addLayout(clipRow);

    auto* top = new QHBoxLayout;
    top->addWidget(m_confusion, 2);
    top->addWidget(curves, 3);
    auto* board = new QWidget(this);
    auto* boardLayout = new QVBoxLayout(board);
    boardLayout->setContentsMargins(0, 0, 0, 0);
    boardLayout->addLayout(top, 3);
    boardLayout->addWidget(bottom, 2);

    m_stack = detail::emptyOrContent(tr("No evaluation open.\nOpen a run folder, then Run > Evaluate run… (Ctrl+E) "
                                "scores its best model (`patchout eval --run RUN` does the same)."),
                                     board, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_stack, 1);

    connect(m_confusion, &ConfusionMatrixView::classClicked, this, &EvaluateView::selectClass);
    connect(m_confusion, &ConfusionMatrixView::cellClicked, this, &EvaluateView::showCell);
    connect(m_showDifference, &QCheckBox::toggled, this, [this](bool on) {
        if (!on || !m_confusion->setDifference(m_comparison.ours_confusion, m_comparison.baseline_confusion))
            m_confusion->clearDifference();
    });
    connect(m_play, &QPushButton::clicked, this, &EvaluateView::playSelectedClip);
    connect(m_open, &QPushButton::clicked, this, &EvaluateView::openSelectedClip);
    connect(m_explain, &QPushButton::clicked, this, &EvaluateView::explainSelectedClip);
    for (QTableWidget* t : {m_failures, m_cellClips, m_flipped}) {
        connect(t, &QTableWidget::cellDoubleClicked, this, &EvaluateView::openSelectedClip);
        for (int key : {Qt::Key_Return, Qt::Key_Enter})
            connect(new QShortcut(QKeySequence(key), t, nullptr, nullptr, Qt::WidgetShortcut), &QShortcut::activated,
                    this, &EvaluateView::playSelectedClip);
    }
    auto updateButtons = [this] {
        QTableWidget* t = shownClipTable();
        const bool any = t != nullptr && !clipPath(t, t->currentRow()).isEmpty();
        m_play->setEnabled(any);
        m_open->setEnabled(any);
        m_explain->setEnabled(any);
    };
    connect(m_tabs, &QTabWidget::currentChanged, this, updateButtons);
    connect(m_failures, &QTableWidget::currentCellChanged, this, updateButtons);
    connect(m_cellClips, &QTableWidget::currentCellChanged, this, updateButtons);
    connect(m_flipped, &QTableWidget::currentCellChanged, this, updateButtons);
    connect(m_classChoice, &QComboBox::currentIndexChanged, this, &EvaluateView::selectClass);
    connect(m_classes, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem* item = m_classes->item(row, 0))
            selectClass(item->data(Qt::UserRole).toInt());
    });
    clear();
}

void EvaluateView::clear() {
    m_hasReport = false;
    m_report = {};
    m_confusion->setMatrix({}, {});
    m_roc->clear();
    m_pr->clear();
    m_classes->setRowCount(0);
    m_failures->setRowCount(0);
    m_cellClips->setRowCount(0);
    m_tabs->setTabText(m_tabs->indexOf(m_cellClips), tr("Clips of a cell"));
    m_reliability->clear();
    m_reliabilityView->chart()->setTitle(QString());
    fillComparison(nullptr, {});
    m_multiLabel = {};
    m_operating->clear();
    m_tabs->setTabVisible(m_tabs->indexOf(m_thresholdPage), false);
    m_cells.clear();
    m_files.clear();
    m_play->setEnabled(false);
    m_open->setEnabled(false);
    m_explain->setEnabled(false);
    const QSignalBlocker block(m_classChoice);
    m_classChoice->clear();
    m_summary->clear();
    m_stack->setCurrentIndex(0);
}

void EvaluateView::setReport(const QString& title, const EvaluationReport& report, const Predictions& predictions,
                             const BaselineComparison* comparison) {
    m_report = report;
    const QStringList labels = toQStrings(report.classes);
    m_confusion->setMatrix(report.multi_label ? ConfusionMatrix{} : report.confusion, labels);
    m_matrixThresholds.clear();  // a multi-label matrix is counted below, at the thresholds
    m_cellTrue = m_cellPredicted = -1;
    m_cellOpenedByView = false;

    QString text = QStringLiteral("<b>%1</b> &mdash; ").arg(title.toHtmlEscaped());
    text += report.options.clips.empty()
                ? tr("%1 clips, %2 classes").arg(report.n_clips).arg(report.classes.size())
                : tr("%1 clips (%2), %3 classes")
                      .arg(report.n_clips)
                      .arg(QString::fromStdString(report.options.clips).toHtmlEscaped())
                      .arg(report.classes.size());
    const auto& r = report.ranking;
    if (report.multi_label)
        text += tr(", mAP %1, macro ROC-AUC %2, subset accuracy %3")
                    .arg(r.mean_average_precision, 0, 'f', 3)
                    .arg(r.macro_roc_auc, 0, 'f', 3)
                    .arg(percent(report.subset_accuracy));
    else
        text += tr(", accuracy %1, balanced accuracy %2, macro F1 %3, macro ROC-AUC %4, mAP %5")
                    .arg(percent(report.accuracy), percent(report.balanced_accuracy))
                    .arg(report.classification.macro.f1, 0, 'f', 3)
                    .arg(r.macro_roc_auc, 0, 'f', 3)
                    .arg(r.mean_average_precision, 0, 'f', 3);
    if (comparison != nullptr) {
        const ComparisonVerdict verdict = comparisonVerdict(*comparison);
        const QString source = comparisonSource(*comparison);
        if (verdict.kind != ComparisonVerdict::Kind::None) {
            const bool beats = verdict.kind == ComparisonVerdict::Kind::Beats;
            text += QStringLiteral("<br>") +
                    (beats ? QStringLiteral("%1") : QStringLiteral("<span style=\"color:#b00020\">%1</span>"))
                        .arg(tr("Against %1: %2")
                                 .arg(source.toHtmlEscaped(), QString::fromStdString(verdict.text).toHtmlEscaped()));
        }
    }
    m_summary->setText(text);
    fillComparison(comparison, comparison != nullptr ? comparisonSource(*comparison) : QString());

    m_classes->setSortingEnabled(false);
    m_classes->setRowCount(static_cast<int>(report.classes.size()));
    for (int c = 0; c < static_cast<int>(report.classes.size()); ++c) {
        auto* name = new QTableWidgetItem(labels.value(c));
        name->setData(Qt::UserRole, c);
        m_classes->setItem(c, 0, name);
        const auto& prf = report.classification.per_class.at(static_cast<std::size_t>(c));
        m_classes->setItem(c, 1, numberItem(prf.precision, 3));
        m_classes->setItem(c, 2, numberItem(prf.recall, 3));
        m_classes->setItem(c, 3, numberItem(prf.f1, 3));
        m_classes->setItem(c, 4, numberItem(static_cast<double>(prf.support), 0));
        const auto& rank = r.per_class.at(static_cast<std::size_t>(c));
        m_classes->setItem(c, 5, numberItem(rank.roc_auc, 3));
        m_classes->setItem(c, 6, numberItem(rank.average_precision, 3));
    }
    m_classes->setSortingEnabled(true);

    auto labelsOf = [&](std::size_t clip) {
        QStringList names;
        for (int l : predictions.labels.at(clip))
            names << labels.value(l);
        return names.join(QStringLiteral("; "));
    };
    m_failures->setRowCount(static_cast<int>(report.most_confident_wrong.size()));
    for (int i = 0; i < static_cast<int>(report.most_confident_wrong.size()); ++i) {
        const FailureCase& f = report.most_confident_wrong[static_cast<std::size_t>(i)];
        const bool known = f.clip < predictions.size();
        m_failures->setItem(i, 0, known ? fileItem(predictions.files[f.clip])
                                        : new QTableWidgetItem(QString::number(f.clip)));
        m_failures->setItem(i, 1, new QTableWidgetItem(known ? labelsOf(f.clip) : QString()));
        m_failures->setItem(i, 2, new QTableWidgetItem(labels.value(f.predicted)));
        m_failures->setItem(i, 3, numberItem(f.predicted_score, 3));
        m_failures->setItem(i, 4, numberItem(f.true_score, 3));
    }

    {
        const QSignalBlocker block(m_classChoice);
        m_classChoice->clear();
        m_classChoice->addItems(labels);
    }
    // The clips behind each cell (the matrix's own decisions), kept for showCell.
    m_files = predictions.files;
    m_cells = report.multi_label ? std::vector<CellClip>{} : confusionClips(predictions, report);
    m_cellClips->setRowCount(0);
    m_tabs->setTabText(m_tabs->indexOf(m_cellClips), tr("Clips of a cell"));
    fillCalibration();
    m_multiLabel = report.multi_label ? predictions : Predictions{};
    m_thresholds = {};
    refreshMultiLabelMatrix();
    m_tabs->setTabVisible(m_tabs->indexOf(m_thresholdPage), report.multi_label);
    m_hasReport = true;
    m_stack->setCurrentIndex(1);
    // Start on the class the model finds hardest (lowest F1), the one worth looking at.
    int worst = 0;
    for (int c = 1; c < static_cast<int>(report.classification.per_class.size()); ++c)
        if (report.classification.per_class[static_cast<std::size_t>(c)].f1 <
            report.classification.per_class[static_cast<std::size_t>(worst)].f1)
            worst = c;
    selectClass(worst);
    // And list the clips of the most confused pair (multi-label: the commonest false alarm beside a
    // true class, the matrix's largest cell off the diagonal): the errors worth hearing first.
    if (!report.most_confused.empty()) {
        showCell(report.most_confused.front().true_class, report.most_confused.front().predicted_class);
        m_cellOpenedByView = true;  // re-chosen when the run's thresholds arrive, until a cell is clicked
    } else
        m_tabs->setCurrentWidget(m_classes);
}

int EvaluateView::selectedClass() const { return m_classChoice->currentIndex(); }

QString EvaluateView::summary() const { return m_summary->text(); }

QString EvaluateView::curveTitle() const { return m_rocView->chart()->title(); }

void EvaluateView::selectClass(int cls) {
    if (!m_hasReport || cls < 0 || cls >= static_cast<int>(m_report.classes.size()))
        return;
    if (m_classChoice->currentIndex() != cls) {
        const QSignalBlocker block(m_classChoice);
        m_classChoice->setCurrentIndex(cls);
    }
    const BinaryRanking& rank = m_report.ranking.per_class.at(static_cast<std::size_t>(cls));
    QList<QPointF> roc, pr;
    for (std::size_t i = 0; i < rank.roc.fpr.size(); ++i)
        roc.append({rank.roc.fpr[i], rank.roc.tpr[i]});
    for (std::size_t i = 0; i < rank.pr.recall.size(); ++i)
        pr.append({rank.pr.recall[i], rank.pr.precision[i]});
    m_roc->replace(roc);
    m_pr->replace(pr);
    const QString name = QString::fromStdString(m_report.classes[static_cast<std::size_t>(cls)]);
    auto value = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–"); };
    m_rocView->chart()->setTitle(tr("ROC of %1 (AUC %2)").arg(name, value(rank.roc_auc)));
    m_prView->chart()->setTitle(tr("Precision-recall of %1 (AP %2)").arg(name, value(rank.average_precision)));
    showThresholds();
}

void EvaluateView::setThresholds(const DecisionThresholds& thresholds) {
    m_thresholds = thresholds;
    showThresholds();
}

QString EvaluateView::thresholdText() const { return m_classThresholdText->text() + QLatin1Char('\n') + m_globalThresholdText->text(); }

void EvaluateView::showThresholds() {
    m_operating->clear();
    const int cls = selectedClass();
    if (!m_hasReport || !m_report.multi_label || m_multiLabel.size() == 0 || cls < 0 ||
        cls >= static_cast<int>(m_report.classes.size()))
        return;
    const std::string& name = m_report.classes[static_cast<std::size_t>(cls)];
    const double own = m_thresholds.of(name);
    {
        const QSignalBlocker a(m_classThreshold), b(m_globalThreshold);
        m_classThreshold->setValue(static_cast<int>(std::lround(own * 1000)));
        m_globalThreshold->setValue(static_cast<int>(std::lround(m_thresholds.global * 1000)));
    }
    const OperatingPoint p = operatingPoint(m_multiLabel, cls, own);
    m_operating->append(p.recall, p.precision);
    m_classThresholdText->setText(tr("%1 at %2%3: precision %4, recall %5, F1 %6 (%7 found, %8 false alarms, %9 missed)")
                                      .arg(QString::fromStdString(name))
                                      .arg(own, 0, 'f', 3)
                                      .arg(m_thresholds.per_class.count(name) ? QString() : tr(" (the global one)"))
                                      .arg(p.precision, 0, 'f', 3)
                                      .arg(p.recall, 0, 'f', 3)
                                      .arg(p.f1, 0, 'f', 3)
                                      .arg(p.tp)
                                      .arg(p.fp)
                                      .arg(p.fn));
    refreshMultiLabelMatrix();
    const OperatingPoint all = microOperatingPoint(m_multiLabel, m_thresholds.forLabels(m_report.classes));
    m_globalThresholdText->setText(tr("Every class at its threshold (%1 with their own): micro precision %2, "
                                      "recall %3, F1 %4")
                                       .arg(m_thresholds.per_class.size())
                                       .arg(all.precision, 0, 'f', 3)
                                       .arg(all.recall, 0, 'f', 3)
                                       .arg(all.f1, 0, 'f', 3));
}

void EvaluateView::refreshMultiLabelMatrix() {
    if (!m_report.multi_label || m_multiLabel.size() == 0)
        return;
    std::vector<double> t = m_thresholds.forLabels(m_report.classes);
    if (t == m_matrixThresholds)
        return;
    m_matrixThresholds = std::move(t);
    QStringList labels;
    for (const auto& c : m_report.classes)
        labels << QString::fromStdString(c);
    m_confusion->setMatrix(multiLabelConfusion(m_multiLabel, m_matrixThresholds), labels, true);
    if (m_cellOpenedByView) {  // the view's own opening choice: the commonest alarm at these thresholds
        const ConfusionMatrix& m = m_confusion->matrix();
        std::size_t bestTrue = 0, bestSaid = 0;
        std::int64_t most = 0;
        for (std::size_t t = 0; t < m.n_classes; ++t)
            for (std::size_t q = 0; q < m.n_classes; ++q)
                if (t != q && m.at(t, q) > most) {
                    most = m.at(t, q);
                    bestTrue = t;
                    bestSaid = q;
                }
        if (most > 0) {
            listCell(static_cast<int>(bestTrue), static_cast<int>(bestSaid));
            return;
        }
    }
    if (m_cellTrue >= 0)
        listCell(m_cellTrue, m_cellPredicted);  // the listed cell at the new thresholds
}

void EvaluateView::showCell(int trueClass, int predicted) {
    const int n = static_cast<int>(m_report.classes.size());
    if (!m_hasReport || trueClass < 0 || predicted < 0 || trueClass >= n || predicted >= n)
        return;
    m_cellOpenedByView = false;  // the user's cell now: kept as the thresholds move
    listCell(trueClass, predicted);
    m_tabs->setCurrentWidget(m_cellClips);
    if (m_cellClips->rowCount() > 0)
        m_cellClips->setCurrentCell(0, 0);
}

void EvaluateView::listCell(int trueClass, int predicted) {
    if (m_report.multi_label && m_matrixThresholds.size() != m_report.classes.size())
        return;  // no matrix counted (no predictions kept)
    m_cellTrue = trueClass;
    m_cellPredicted = predicted;
    const bool multi = m_report.multi_label;
    const std::vector<CellClip> clips = multi ? multiLabelCellClips(m_multiLabel, m_matrixThresholds, trueClass, predicted)
                                              : clipsOfCell(m_cells, trueClass, predicted);
    const QString truth = QString::fromStdString(m_report.classes[static_cast<std::size_t>(trueClass)]);
    const QString called = QString::fromStdString(m_report.classes[static_cast<std::size_t>(predicted)]);
    m_cellClips->setSortingEnabled(false);
    m_cellClips->setRowCount(static_cast<int>(clips.size()));
    for (int i = 0; i < static_cast<int>(clips.size()); ++i) {
        const CellClip& c = clips[static_cast<std::size_t>(i)];
        m_cellClips->setItem(i, 0, fileItem(m_files.at(c.clip)));
        QString trueText = truth;
        if (multi) {  // a clip of several classes lists them all
            QStringList names;
            for (int l : m_multiLabel.labels.at(c.clip))
                names << QString::fromStdString(m_report.classes.at(static_cast<std::size_t>(l)));
            trueText = names.join(QStringLiteral("; "));
        }
        m_cellClips->setItem(i, 1, new QTableWidgetItem(trueText));
        m_cellClips->setItem(i, 2, new QTableWidgetItem(called));
        m_cellClips->setItem(i, 3, numberItem(c.score, 3));
        m_cellClips->setItem(i, 4, numberItem(c.margin, 3));
    }
    m_cellClips->setSortingEnabled(true);
    m_cellClips->sortByColumn(3, Qt::DescendingOrder);
    m_tabs->setTabText(m_tabs->indexOf(m_cellClips),
                       !multi                ? tr("%1 called %2 (%3)").arg(truth, called).arg(clips.size())
                       : trueClass == predicted ? tr("%1 found (%2)").arg(truth).arg(clips.size())
                                                : tr("%1 with %2 said (%3)").arg(truth, called).arg(clips.size()));
}

QString EvaluateView::clipPath(const QTableWidget* table, int row) const {
    if ((table != m_failures && table != m_cellClips && table != m_flipped) || row < 0 || row >= table->rowCount())
        return {};
    const QTableWidgetItem* item = table->item(row, 0);
    const QString file = item != nullptr ? item->data(kFileRole).toString() : QString();
    if (file.isEmpty() || QDir::isAbsolutePath(file) || m_clipRoot.isEmpty())
        return file;
    return QDir(m_clipRoot).filePath(file);
}

QTableWidget* EvaluateView::shownClipTable() const {
    QWidget* shown = m_tabs->currentWidget();
    if (shown == m_comparisonPage)
        return m_flipped;
    return shown == m_failures || shown == m_cellClips ? static_cast<QTableWidget*>(shown) : nullptr;
}

void EvaluateView::playSelectedClip() {
    if (QTableWidget* t = shownClipTable(); t != nullptr)
        if (const QString path = clipPath(t, t->currentRow()); !path.isEmpty())
            Q_EMIT playClipRequested(path);
}

void EvaluateView::openSelectedClip() {
    if (QTableWidget* t = shownClipTable(); t != nullptr)
        if (const QString path = clipPath(t, t->currentRow()); !path.isEmpty())
            Q_EMIT openClipRequested(path);
}

void EvaluateView::explainSelectedClip() {
    QTableWidget* t = shownClipTable();
    if (t == nullptr)
        return;
    const QString path = clipPath(t, t->currentRow());
    const QTableWidgetItem* predicted = t->item(t->currentRow(), 2);  // "predicted" / "this model"
    if (!path.isEmpty())
        Q_EMIT explainClipRequested(path, predicted != nullptr ? predicted->text() : QString());
}

void EvaluateView::fillCalibration() {
    const Calibration& cal = m_report.calibration;
    QList<QPointF> points;
    for (const ReliabilityBin& b : cal.bins)
        if (b.count > 0)
            points.append({b.mean_confidence, b.accuracy});
    m_reliability->replace(points);
    QString title;
    if (!m_report.scores_are_probabilities || points.isEmpty())
        title = tr("No reliability diagram: the scores are not probabilities");
    else
        title = tr("Reliability of the %1 (%2 bins): expected calibration error %3, maximum %4")
                    .arg(m_report.multi_label ? tr("scores of every clip and class") : tr("top class"))
                    .arg(cal.bins.size())
                    .arg(cal.expected_calibration_error, 0, 'f', 3)
                    .arg(cal.maximum_calibration_error, 0, 'f', 3);
    m_reliabilityView->chart()->setTitle(title);
}

QString EvaluateView::reliabilityTitle() const { return m_reliabilityView->chart()->title(); }

void EvaluateView::fillComparison(const BaselineComparison* comparison, const QString& source) {
    const int tab = m_tabs->indexOf(m_comparisonPage);
    m_flipped->setSortingEnabled(false);
    m_flipped->setRowCount(0);
    m_comparisonText->clear();
    m_tabs->setTabVisible(tab, comparison != nullptr);
    m_comparison = comparison != nullptr ? *comparison : BaselineComparison{};
    {
        const QSignalBlocker block(m_showDifference);
        m_showDifference->setChecked(false);
    }
    m_confusion->clearDifference();
    m_showDifference->setEnabled(m_comparison.ours_confusion.n_classes > 0 &&
                                 m_comparison.ours_confusion.n_classes == m_report.classes.size());
    if (comparison == nullptr)
        return;
    m_tabs->setTabText(tab, tr("Against %1").arg(source));
    auto value = [](double v, bool signed_) {
        return std::isfinite(v) ? (signed_ && v >= 0 ? QStringLiteral("+") : QString()) + QString::number(v, 'f', 3)
                                : QStringLiteral("–");
    };
    QString html = tr("<p>On the %1 clips both scored (%2 paired bootstrap resamples, %3% intervals):</p>")
                       .arg(comparison->n_common)
                       .arg(comparison->n_bootstrap)
                       .arg(100 * comparison->confidence, 0, 'f', 0);
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\"><tr><th align=\"left\">%1</th><th>%2</th><th>%3</th>"
                           "<th>%4</th><th>%5</th></tr>")
                .arg(tr("metric"), tr("this model"), tr("baseline"), tr("difference"), tr("interval"));
    for (const MetricDelta& m : comparison->metrics) {
        // An interval that excludes 0 is a difference the clips support; one that spans it is not.
        const bool sure = std::isfinite(m.ci_low) && std::isfinite(m.ci_high) && (m.ci_low > 0 || m.ci_high < 0);
        html += QStringLiteral("<tr><td>%1</td><td align=\"right\">%2</td><td align=\"right\">%3</td>"
                               "<td align=\"right\">%4</td><td align=\"right\">%5[%6, %7]%8</td></tr>")
                    .arg(QString::fromStdString(m.name).toHtmlEscaped(), value(m.ours, false), value(m.baseline, false),
                         value(m.delta, true), sure ? QStringLiteral("<b>") : QString(), value(m.ci_low, true),
                         value(m.ci_high, true), sure ? QStringLiteral("</b>") : QString());
    }
    html += QStringLiteral("</table>");
    const McNemarResult& mc = comparison->mcnemar;
    html += tr("<p>McNemar (%1): %2 clips only this model gets right, %3 only the baseline; p = %4.</p>")
                .arg(mc.exact ? tr("exact binomial") : tr("chi-square, continuity-corrected"))
                .arg(mc.only_ours_right)
                .arg(mc.only_baseline_right)
                .arg(std::isfinite(mc.p_value) ? QString::number(mc.p_value, 'g', 3) : QStringLiteral("–"));
    m_comparisonText->setText(html);
    auto labelsOf = [this](const std::vector<int>& labels) {
        QStringList names;
        for (int l : labels)
            names << QString::fromStdString(m_report.classes.at(static_cast<std::size_t>(l)));
        return names.join(QStringLiteral("; "));
    };
    const int n = static_cast<int>(m_report.classes.size());
    int row = 0;
    m_flipped->setRowCount(static_cast<int>(comparison->flipped.size()));
    for (const FlippedClip& f : comparison->flipped) {
        const bool known = f.ours_predicted >= 0 && f.ours_predicted < n && f.baseline_predicted >= 0 &&
                           f.baseline_predicted < n &&
                           std::all_of(f.true_labels.begin(), f.true_labels.end(), [n](int l) { return l >= 0 && l < n; });
        if (!known)
            continue;  // a comparison from a report with other classes
        m_flipped->setItem(row, 0, fileItem(f.file));
        m_flipped->setItem(row, 1, new QTableWidgetItem(labelsOf(f.true_labels)));
        m_flipped->setItem(row, 2, new QTableWidgetItem(QString::fromStdString(m_report.classes[static_cast<std::size_t>(f.ours_predicted)])));
        m_flipped->setItem(row, 3, new QTableWidgetItem(QString::fromStdString(m_report.classes[static_cast<std::size_t>(f.baseline_predicted)])));
        auto* change = new QTableWidgetItem(f.now_right ? tr("fixed") : tr("broken"));
        change->setToolTip(f.now_right ? tr("The baseline gets it wrong, this model right")
                                       : tr("The baseline gets it right, this model wrong"));
        change->setForeground(f.now_right ? QColor(0x1b, 0x7a, 0x2e) : QColor(0xb0, 0x00, 0x20));
        m_flipped->setItem(row, 4, change);
        ++row;
    }
    m_flipped->setRowCount(row);
    m_flipped->setSortingEnabled(true);
}

QString EvaluateView::comparisonText() const { return m_comparisonText->text(); }

}  // namespace patchout::ui
