// The Evaluate view: the dashboard of an evaluation (what `patchout eval` writes into a run's
// eval/ folder). A confusion matrix (rows true, columns predicted, coloured by the share of the
// true class, counts in the cells, hover read-out; a click selects the row's class and lists the
// cell's clips), ROC and precision-recall curves of the selected class with its AUC and AP, a
// per-class table (precision, recall, F1, support, ROC-AUC, AP; click a row to select the class),
// the most confident failures, the clips of the clicked cell (sortable by score and margin), the
// reliability diagram with its expected calibration error, the comparison with a baseline (the
// run's floor: each metric's difference with its bootstrap interval, McNemar, the clips that
// flipped), and a summary line. From a number to
// the sound: a clip row is played (Play, Enter) or opened in Listen (double-click) through the
// signals below, which the app connects to its player and its Listen view. It draws the
// EvaluationReport it is given; the app reads predictions.csv and computes the report.
// Thread-safety: GUI thread only.
#pragma once

#include "patchout/report.h"
#include "patchout/thresholds.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QTabWidget;
class QStackedWidget;
class QTableWidget;

QT_BEGIN_NAMESPACE
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace patchout::ui {

// Rows are true classes, columns predicted; the colour is the row-normalised share (viridis),
// the count is written in cells large enough to hold it.
class ConfusionMatrixView : public QWidget {
    Q_OBJECT
public:
    explicit ConfusionMatrixView(QWidget* parent = nullptr);
    // `multiLabel`: a multiLabelConfusion (columns are the classes said present: found on the
    // diagonal, false alarms beside a true class off it).
    void setMatrix(const ConfusionMatrix& matrix, const QStringList& labels, bool multiLabel = false);
    const ConfusionMatrix& matrix() const noexcept { return m_matrix; }
    // Difference mode: each cell is ours minus the baseline's count (both of the matrix's size),
    // green where this model does better (more on the diagonal, fewer off it), red where worse.
    // false (nothing changes) for matrices of another size.
    bool setDifference(const ConfusionMatrix& ours, const ConfusionMatrix& baseline);
    void clearDifference();
    bool differenceShown() const noexcept { return m_difference; }
    // The colour a difference cell gets (for the tests and the legend).
    static QColor differenceColour(std::int64_t delta, bool diagonal, std::int64_t largest);
    // The cell of (true, predicted) in widget coordinates; empty when out of range.
    QRect cellRect(int trueClass, int predicted) const;
    // What the mouse shows over the cell at `pos` ("" outside the matrix).
    QString readoutAt(const QPoint& pos) const;
    QString readout() const { return m_readout; }
    QSize sizeHint() const override;

Q_SIGNALS:
    void classClicked(int trueClass);
    void cellClicked(int trueClass, int predicted);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    QRect matrixRect() const;
    int cellAt(const QPoint& pos, int* trueClass, int* predicted) const;
    ConfusionMatrix m_matrix;
    std::vector<double> m_shares;
    QStringList m_labels;
    QString m_readout;
    bool m_multiLabel = false;
    bool m_difference = false;
    ConfusionMatrix m_diffOurs, m_diffBaseline;
};

class EvaluateView : public QWidget {
    Q_OBJECT
public:
    explicit EvaluateView(QWidget* parent = nullptr);

    // `predictions` name the failure cases' files; `title` names the evaluation (its folder);
    // `comparison` (the report's, e.g. against the run's classical floor) adds its verdict under the
    // summary, in red when the model does not beat the baseline.
    void setReport(const QString& title, const EvaluationReport& report, const Predictions& predictions,
                   const BaselineComparison* comparison = nullptr);
    void clear();
    bool hasReport() const noexcept { return m_hasReport; }
    // Relative file names in the predictions are clips under this folder (the run's dataset root);
    // absolute ones are taken as they are.
    void setClipRoot(const QString& folder) { m_clipRoot = folder; }

    // Lists the clips of the confusion cell (true, predicted), most confident first, in the
    // "Clips of a cell" tab and shows it (what a click on the cell does).
    void showCell(int trueClass, int predicted);
    // The clip file of a row of the cell, failure or flipped table ("" for another table or no row).
    QString clipPath(const QTableWidget* table, int row) const;
    // Plays / opens the selected clip of the table shown (what Play, Enter and a double-click do).
    void playSelectedClip();
    void openSelectedClip();
    // Asks what the model looked at in the selected clip, for the class it predicted (Explain).
    void explainSelectedClip();

    // The class whose ROC and PR curves are shown.
    void selectClass(int cls);
    int selectedClass() const;

    QString summary() const;
    ConfusionMatrixView* confusionView() const noexcept { return m_confusion; }
    QLineSeries* rocSeries() const noexcept { return m_roc; }
    QLineSeries* prSeries() const noexcept { return m_pr; }
    QTableWidget* classTable() const noexcept { return m_classes; }
    QTableWidget* failureTable() const noexcept { return m_failures; }
    QTableWidget* cellTable() const noexcept { return m_cellClips; }
    // The comparison tab (shown with a comparison): its metrics and McNemar, and the flipped clips.
    QWidget* comparisonPage() const noexcept { return m_comparisonPage; }
    QString comparisonText() const;
    QTableWidget* flippedTable() const noexcept { return m_flipped; }

    // Multi-label: the decision thresholds (a "Thresholds" tab: the selected class's slider and a
    // global one, live precision, recall and F1, the operating point on the PR curve). The app
    // gives the run's (thresholds.json) and saves them when asked.
    void setThresholds(const DecisionThresholds& thresholds);
    const DecisionThresholds& thresholds() const noexcept { return m_thresholds; }
    QWidget* thresholdPage() const noexcept { return m_thresholdPage; }
    QSlider* classThresholdSlider() const noexcept { return m_classThreshold; }
    QSlider* globalThresholdSlider() const noexcept { return m_globalThreshold; }
    QScatterSeries* operatingPointSeries() const noexcept { return m_operating; }
    QString thresholdText() const;
    QPushButton* saveThresholdsButton() const noexcept { return m_saveThresholds; }
    // Draws the matrix as this model's counts minus the baseline's (the comparison tab's box).
    QCheckBox* differenceBox() const noexcept { return m_showDifference; }
    QTabWidget* tabs() const noexcept { return m_tabs; }
    QString curveTitle() const;
    // The reliability diagram: one point per non-empty bin (mean confidence, accuracy).
    QLineSeries* reliabilitySeries() const noexcept { return m_reliability; }
    QString reliabilityTitle() const;

Q_SIGNALS:
    void playClipRequested(const QString& path);
    void openClipRequested(const QString& path);
    void explainClipRequested(const QString& path, const QString& predictedClass);
    void saveThresholdsRequested(const patchout::DecisionThresholds& thresholds);

private:
    void fillCalibration();
    void fillComparison(const BaselineComparison* comparison, const QString& source);
    void showThresholds();  // the sliders, texts and operating point for the selected class
    // A multi-label report's matrix at the current thresholds (recounted when they changed).
    void refreshMultiLabelMatrix();
    void listCell(int trueClass, int predicted);  // fills "Clips of a cell" without showing it
    QTableWidget* shownClipTable() const;
    QLabel* m_summary = nullptr;
    QStackedWidget* m_stack = nullptr;
    ConfusionMatrixView* m_confusion = nullptr;
    QComboBox* m_classChoice = nullptr;
    QChartView* m_rocView = nullptr;
    QChartView* m_prView = nullptr;
    QLineSeries* m_roc = nullptr;
    QLineSeries* m_rocChance = nullptr;
    QLineSeries* m_pr = nullptr;
    QTableWidget* m_classes = nullptr;
    QTableWidget* m_failures = nullptr;
    QTableWidget* m_cellClips = nullptr;
    QWidget* m_comparisonPage = nullptr;
    QLabel* m_comparisonText = nullptr;
    QTableWidget* m_flipped = nullptr;
    QCheckBox* m_showDifference = nullptr;
    BaselineComparison m_comparison;  // what the difference mode draws
    QWidget* m_thresholdPage = nullptr;
    QSlider* m_classThreshold = nullptr;
    QSlider* m_globalThreshold = nullptr;
    QLabel* m_classThresholdText = nullptr;
    QLabel* m_globalThresholdText = nullptr;
    QPushButton* m_saveThresholds = nullptr;
    QScatterSeries* m_operating = nullptr;
    DecisionThresholds m_thresholds;
    Predictions m_multiLabel;  // multi-label predictions, kept for the live operating points
    QTabWidget* m_tabs = nullptr;
    QPushButton* m_play = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_explain = nullptr;
    QChartView* m_reliabilityView = nullptr;
    QLineSeries* m_reliability = nullptr;
    QString m_clipRoot;
    EvaluationReport m_report;
    std::vector<std::string> m_files;  // the predictions' file names
    std::vector<CellClip> m_cells;     // every clip's cell (single-label)
    std::vector<double> m_matrixThresholds;  // those the multi-label matrix was counted at
    int m_cellTrue = -1, m_cellPredicted = -1;  // the cell listed in "Clips of a cell"
    bool m_cellOpenedByView = false;  // listed by setReport, not by a click: follows the thresholds
    bool m_hasReport = false;
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::DecisionThresholds)
