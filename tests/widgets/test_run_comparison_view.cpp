// RunComparisonView: each run a colour in all four charts (the points its curves hold), a list
// that says each run's best validation accuracy, the settings that differ as a table, and the
// buttons' requests.
#include "qtest_registry.h"

#include "patchout/ui/run_comparison_view.h"
#include "patchout/ui/train_view.h"

#include <QLineSeries>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <limits>

using namespace patchout;
using patchout::ui::RunComparisonView;

namespace {

// `epochs` epochs of 4 logged steps; validation accuracy peaks at `peak` in epoch 2.
RunFolder run(const std::string& dir, int epochs, double peak) {
    RunFolder r;
    r.dir = dir;
    for (int e = 1; e <= epochs; ++e) {
        for (int s = 1; s <= 4; ++s)
            r.curves.steps.push_back(
                {.epoch = e, .step = (e - 1) * 20 + s * 5, .loss = 2.0 / e, .lr = 1e-3 * e, .examples_per_s = 100.0 * e});
        r.curves.epochs.push_back({.epoch = e,
                                   .step = e * 20,
                                   .train_loss = 2.0 / e,
                                   .lr = 1e-3,
                                   .seconds = 4,
                                   .validation_loss = 1.0,
                                   .validation_accuracy = e == 2 ? peak : peak / 2});
    }
    return r;
}

}  // namespace

class RunComparisonViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void eachRunIsAColourInEveryChart() {
        RunComparisonView view;
        QCOMPARE(view.runCount(), 0);
        const std::vector<RunFolder> runs = {run("/runs/a", 3, 0.8), run("/runs/b", 2, 0.6)};
        view.setRuns(runs, {{.name = "lr", .values = {"0.001", "0.0005"}}});
        QCOMPARE(view.runCount(), 2);
        QCOMPARE(view.runDirs(), (QStringList{QStringLiteral("/runs/a"), QStringLiteral("/runs/b")}));
        for (int chart = 0; chart < RunComparisonView::ChartCount; ++chart)
            for (int r = 0; r < 2; ++r) {
                QLineSeries* s = view.series(static_cast<RunComparisonView::Chart>(chart), r);
                QVERIFY(s != nullptr);
                QCOMPARE(s->color(), QColor(QString::fromStdString(runColour(static_cast<std::size_t>(r)))));
                const int expected = chart == RunComparisonView::ValidationAccuracy ? (r == 0 ? 3 : 2) : (r == 0 ? 12 : 8);
                QCOMPARE(s->count(), expected);
            }
        QCOMPARE(view.series(RunComparisonView::ValidationAccuracy, 0)->at(1), QPointF(2, 80));  // per cent
        QCOMPARE(view.series(RunComparisonView::Speed, 1)->at(7).y(), 200.0);
        QVERIFY(view.series(RunComparisonView::Loss, 2) == nullptr);
        // Accuracy near 100% keeps its axis at 100% (nice numbers alone would go to 150).
        view.setRuns({run("/runs/c", 3, 0.996)}, {});
        const QValueAxis* accuracyAxis = nullptr;
        for (QAbstractAxis* axis : view.series(RunComparisonView::ValidationAccuracy, 0)->attachedAxes())
            if (axis->orientation() == Qt::Vertical)
                accuracyAxis = static_cast<const QValueAxis*>(axis);
        QVERIFY(accuracyAxis != nullptr);
        QCOMPARE(accuracyAxis->max(), 100.0);
        view.setRuns(runs, {{.name = "lr", .values = {"0.001", "0.0005"}}});
        QVERIFY2(view.runList()->item(0)->text().contains(QStringLiteral("best validation 80.0% (epoch 2 of 3)")),
                 qPrintable(view.runList()->item(0)->text()));
        QCOMPARE(view.differenceTable()->rowCount(), 1);
        QCOMPARE(view.differenceTable()->item(0, 0)->text(), QStringLiteral("lr"));
        QCOMPARE(view.differenceTable()->item(0, 2)->text(), QStringLiteral("0.0005"));
        QVERIFY(!view.chartsPicture().isNull());
        // Fewer runs: the lines of the others go.
        view.setRuns({runs[1]}, {});
        QVERIFY(view.series(RunComparisonView::Loss, 1) == nullptr);
        QCOMPARE(view.differenceTable()->rowCount(), 0);
    }

    void buttonsAskTheApp() {
        RunComparisonView view;
        view.setRecentRuns({QStringLiteral("/runs/recent")});
        QSignalSpy add(&view, &RunComparisonView::addRunsRequested);
        QSignalSpy remove(&view, &RunComparisonView::removeRunRequested);
        QSignalSpy clear(&view, &RunComparisonView::clearRequested);
        const QList<QAction*> actions = view.addMenu()->actions();
        QCOMPARE(actions.size(), 3);  // the recent run, a separator, "a folder…"
        actions.front()->trigger();
        QCOMPARE(add.count(), 1);
        QCOMPARE(add.at(0).at(0).toString(), QStringLiteral("/runs/recent"));
        actions.back()->trigger();
        QVERIFY(add.at(1).at(0).toString().isEmpty());  // ask for a folder
        view.setRuns({run("/runs/a", 2, 0.5), run("/runs/b", 2, 0.7)}, {});
        view.runList()->setCurrentRow(1);
        for (QPushButton* b : view.findChildren<QPushButton*>()) {
            if (b->text() == QStringLiteral("Remove"))
                b->click();
            if (b->text() == QStringLiteral("Clear"))
                b->click();
        }
        QCOMPARE(remove.count(), 1);
        QCOMPARE(remove.at(0).at(0).toString(), QStringLiteral("/runs/b"));
        QCOMPARE(clear.count(), 1);
    }

    void theTrainViewHasItAsASecondTab() {
        ui::TrainView train;
        QVERIFY(train.comparisonView() != nullptr);
        QVERIFY(!train.comparisonShown());
        train.showComparison(true);
        QVERIFY(train.comparisonShown());
    }
};

PATCHOUT_REGISTER_QTEST(RunComparisonViewTest);

#include "test_run_comparison_view.moc"
