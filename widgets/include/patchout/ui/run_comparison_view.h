// Runs side by side (the Train view's second tab): the runs it is given, each in its own colour
// (runColour, as in `patchout runs --svg`), overlaid in four charts (training loss, learning rate
// and examples per second against the step, validation accuracy against the epoch), a list of the
// runs with their best validation accuracy, and a table of the settings in which they differ. It
// draws what the app read (findRuns, readRunFolder, differingOptions); adding, removing and
// exporting are requests the app answers. Thread-safety: GUI thread only.
#pragma once

#include "patchout/run_comparison.h"

#include <QPixmap>
#include <QWidget>

class QLabel;
class QListWidget;
class QMenu;
class QPushButton;
class QTableWidget;

QT_BEGIN_NAMESPACE
class QChartView;
class QLineSeries;
QT_END_NAMESPACE

namespace patchout::ui {

class RunComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit RunComparisonView(QWidget* parent = nullptr);

    enum Chart { Loss, ValidationAccuracy, LearningRate, Speed, ChartCount };

    void setRuns(const std::vector<RunFolder>& runs, const std::vector<OptionDifference>& differences);
    int runCount() const noexcept { return static_cast<int>(m_runs.size()); }
    const std::vector<RunFolder>& runs() const noexcept { return m_runs; }
    // The run folders shown, in order.
    QStringList runDirs() const;
    // The Add button's menu: these runs (recent ones), then "A folder of runs…".
    void setRecentRuns(const QStringList& dirs);

    // The run's line in a chart (nullptr when out of range).
    QLineSeries* series(Chart chart, int run) const;
    QTableWidget* differenceTable() const noexcept { return m_differences; }
    QListWidget* runList() const noexcept { return m_list; }
    QMenu* addMenu() const noexcept { return m_addMenu; }
    // The four charts as one picture (Export as PNG).
    QPixmap chartsPicture() const;

Q_SIGNALS:
    // Add a run, or every run in a folder; an empty path: ask the user for a folder.
    void addRunsRequested(const QString& path);
    void removeRunRequested(const QString& dir);
    void clearRequested();
    // Export… (the app asks for a file: .png, .svg or .csv).
    void exportRequested();

private:
    QListWidget* m_list = nullptr;
    QPushButton* m_add = nullptr;
    QMenu* m_addMenu = nullptr;
    QPushButton* m_remove = nullptr;
    QPushButton* m_clear = nullptr;
    QPushButton* m_export = nullptr;
    QLabel* m_hint = nullptr;
    QWidget* m_charts = nullptr;
    QChartView* m_views[ChartCount] = {};
    std::vector<std::vector<QLineSeries*>> m_series;  // [chart][run]
    QTableWidget* m_differences = nullptr;
    std::vector<RunFolder> m_runs;
};

}  // namespace patchout::ui
