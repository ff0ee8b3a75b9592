// The Train view: a run's learning curves. Left, the training loss at every logged step with the
// validation loss at each epoch's last step; right, the validation accuracy per epoch with the
// best epoch marked; above them a summary (epochs done of planned, best accuracy, time per
// epoch). It draws the TrainingCurves it is given: the app reads metrics.jsonl (again while a run
// is still writing it) and calls setRun(). Above them, "New training run…" asks the app to start
// one (newRunRequested) and, while the app trains, "Stop" asks it to stop (stopRequested) beside
// the job's progress. A second tab, "Runs side by side", holds a RunComparisonView.
// Thread-safety: GUI thread only.
#pragma once

#include "patchout/run_folder.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;
class QTabWidget;

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace patchout::ui {

class RunComparisonView;

class TrainView : public QWidget {
    Q_OBJECT
public:
    explicit TrainView(QWidget* parent = nullptr);

    // `title` names the run (its folder); `plannedEpochs` 0 when unknown.
    // `split` (one line: the split's name and sizes, how validation was chosen) goes below the summary.
    void setRun(const QString& title, const TrainingCurves& curves, int plannedEpochs = 0,
                const QString& split = {});
    // No run: the view says how to open one.
    void clear();
    bool hasRun() const noexcept { return m_hasRun; }
    // While the app trains: the Stop button and `status` (step, loss, speed, time left) are shown.
    void setTraining(bool running, const QString& status = {});
    bool training() const noexcept { return m_training; }
    QString trainingStatus() const;
    QPushButton* newRunButton() const noexcept { return m_newRun; }
    QPushButton* stopButton() const noexcept { return m_stop; }

    QString summary() const;
    QLineSeries* trainLossSeries() const noexcept { return m_trainLoss; }
    QLineSeries* validationLossSeries() const noexcept { return m_valLoss; }
    QLineSeries* accuracySeries() const noexcept { return m_accuracy; }
    QScatterSeries* bestEpochSeries() const noexcept { return m_best; }
    QValueAxis* accuracyAxis() const noexcept { return m_accuracyY; }
    RunComparisonView* comparisonView() const noexcept { return m_comparison; }
    // Shows the "Runs side by side" tab (true) or the run's own curves.
    void showComparison(bool show);
    bool comparisonShown() const;

Q_SIGNALS:
    void newRunRequested();
    void stopRequested();

private:
    QPushButton* m_newRun = nullptr;
    QPushButton* m_stop = nullptr;
    QLabel* m_status = nullptr;
    bool m_training = false;
    QLabel* m_summary = nullptr;
    QStackedWidget* m_stack = nullptr;
    QChartView* m_lossView = nullptr;
    QChartView* m_accuracyView = nullptr;
    QLineSeries* m_trainLoss = nullptr;
    QLineSeries* m_valLoss = nullptr;
    QLineSeries* m_accuracy = nullptr;
    QScatterSeries* m_best = nullptr;
    QValueAxis* m_stepX = nullptr;
    QValueAxis* m_lossY = nullptr;
    QValueAxis* m_epochX = nullptr;
    QValueAxis* m_accuracyY = nullptr;
    bool m_hasRun = false;
    QTabWidget* m_tabs = nullptr;
    RunComparisonView* m_comparison = nullptr;
};

}  // namespace patchout::ui
