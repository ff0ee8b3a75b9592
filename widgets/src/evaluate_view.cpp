#include "patchout/ui/evaluate_view.h"

#include "view_parts.h"

#include "patchout/ui/colour_map.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPainter>
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

}  // namespace

// ---- ConfusionMatrixView -------------------------------------------------------------------

ConfusionMatrixView::ConfusionMatrixView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setMinimumSize(240, 240);
    setToolTip(tr("Rows: true class; columns: predicted class. Colour: share of the row. Click a "
                  "row to show its class's curves."));
}

void ConfusionMatrixView::setMatrix(const ConfusionMatrix& matrix, const QStringList& labels) {
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

QString ConfusionMatrixView::readoutAt(const QPoint& pos) const {
    int t = 0, p = 0;
    if (cellAt(pos, &t, &p) < 0)
        return {};
    const auto count = m_matrix.at(static_cast<std::size_t>(t), static_cast<std::size_t>(p));
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
    if (event->button() == Qt::LeftButton && cellAt(event->position().toPoint(), &t, &p) >= 0)
        Q_EMIT classClicked(t);
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
    for (int t = 0; t < n; ++t)
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
    painter.drawText(QRect(m.left(), 2, m.width(), fm.height()), Qt::AlignCenter, tr("predicted"));
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
    for (QTableWidget* t : {m_classes, m_failures}) {
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->setSelectionMode(QAbstractItemView::SingleSelection);
        t->verticalHeader()->hide();
        t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        t->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);  // class / file
    }
    auto* tabs = new QTabWidget(this);
    tabs->addTab(m_classes, tr("Per class"));
    tabs->addTab(m_failures, tr("Most confident failures"));

    auto* top = new QHBoxLayout;
    top->addWidget(m_confusion, 2);
    top->addWidget(curves, 3);
    auto* board = new QWidget(this);
    auto* boardLayout = new QVBoxLayout(board);
    boardLayout->setContentsMargins(0, 0, 0, 0);
    boardLayout->addLayout(top, 3);
    boardLayout->addWidget(tabs, 2);

    m_stack = detail::emptyOrContent(tr("No evaluation open.\nOpen a run folder, then Run > Evaluate run… (Ctrl+E) "
                                "scores its best model (`patchout eval --run RUN` does the same)."),
                                     board, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_stack, 1);

    connect(m_confusion, &ConfusionMatrixView::classClicked, this, &EvaluateView::selectClass);
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
        // RUN/baseline/predictions.csv is the run's classical floor (patchout baseline).
        const QString folder = QString::fromStdString(comparison->baseline_source.parent_path().filename().string());
        const QString source = folder == QLatin1String("baseline") ? tr("the classical floor") : folder;
        if (verdict.kind != ComparisonVerdict::Kind::None) {
            const bool beats = verdict.kind == ComparisonVerdict::Kind::Beats;
            text += QStringLiteral("<br>") +
                    (beats ? QStringLiteral("%1") : QStringLiteral("<span style=\"color:#b00020\">%1</span>"))
                        .arg(tr("Against %1: %2")
                                 .arg(source.toHtmlEscaped(), QString::fromStdString(verdict.text).toHtmlEscaped()));
        }
    }
    m_summary->setText(text);

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
        m_failures->setItem(i, 0, new QTableWidgetItem(known ? QString::fromStdString(predictions.files[f.clip])
                                                             : QString::number(f.clip)));
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
    m_hasReport = true;
    m_stack->setCurrentIndex(1);
    // Start on the class the model finds hardest (lowest F1), the one worth looking at.
    int worst = 0;
    for (int c = 1; c < static_cast<int>(report.classification.per_class.size()); ++c)
        if (report.classification.per_class[static_cast<std::size_t>(c)].f1 <
            report.classification.per_class[static_cast<std::size_t>(worst)].f1)
            worst = c;
    selectClass(worst);
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
}

}  // namespace patchout::ui
