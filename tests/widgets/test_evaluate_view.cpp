// EvaluateView: a report becomes the confusion matrix (colour by row share, hover read-out, a
// click selects the class and lists the cell's clips), the selected class's ROC and PR curves, the
// per-class table, the failure list, the cell's clips (played, opened) and the reliability
// diagram; a multi-label report has no matrix but still its curves.
#include "multi_label_fixture.h"
#include "qtest_registry.h"

#include "patchout/ui/colour_map.h"
#include "patchout/ui/evaluate_view.h"

#include <QChartView>
#include <QCheckBox>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

using namespace patchout;
using patchout::ui::ConfusionMatrixView;
using patchout::ui::EvaluateView;

namespace {

// Three classes, 10 clips each: "cat" always right, "dog" right 7 times (3 called "cat"), "owl"
// right 9 times (1 called "dog").
Predictions threeClasses() {
    Predictions p;
    p.classes = {"cat", "dog", "owl"};
    p.scores.n_classes = 3;
    auto add = [&p](int truth, int predicted, double confidence) {
        p.files.push_back("clip" + std::to_string(p.files.size()) + ".wav");
        p.labels.push_back({truth});
        for (int c = 0; c < 3; ++c)
            p.scores.values.push_back(c == predicted ? confidence : (1.0 - confidence) / 2);
        ++p.scores.n_samples;
    };
    for (int i = 0; i < 10; ++i)
        add(0, 0, 0.9);
    for (int i = 0; i < 10; ++i)
        add(1, i < 3 ? 0 : 1, i < 3 ? 0.6 + 0.1 * i : 0.8);
    for (int i = 0; i < 10; ++i)
        add(2, i < 1 ? 1 : 2, 0.7);
    return p;
}

}  // namespace

class EvaluateViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void summaryNamesTheClipsAndTheVerdictAgainstTheBaseline() {
        const Predictions p = threeClasses();
        ReportOptions options;
        options.clips = "the test clips of split own";
        const EvaluationReport report = computeReport(p, options);
        BaselineComparison floor;
        floor.baseline_source = "/runs/a/baseline/predictions.csv";
        floor.metrics = {{.name = "accuracy", .delta = -0.05, .ci_low = -0.1, .ci_high = -0.01}};
        EvaluateView view;
        view.setReport(QStringLiteral("eval"), report, p, &floor);
        QVERIFY2(view.summary().contains(QStringLiteral("clips (the test clips of split own)")), qPrintable(view.summary()));
        QVERIFY2(view.summary().contains(QStringLiteral("Against the classical floor: THE MODEL IS BELOW THE BASELINE")),
                 qPrintable(view.summary()));
        // The comparison tab: each metric with its interval (bold: it excludes 0), McNemar, and the
        // flipped clips, playable like the others.
        const int tab = view.tabs()->indexOf(view.comparisonPage());
        QVERIFY(view.tabs()->isTabVisible(tab));
        QCOMPARE(view.tabs()->tabText(tab), QStringLiteral("Against the classical floor"));
        QVERIFY2(view.comparisonText().contains(QStringLiteral("<b>[-0.100, -0.010]</b>")), qPrintable(view.comparisonText()));
        QVERIFY2(view.comparisonText().contains(QStringLiteral("McNemar")), qPrintable(view.comparisonText()));
        floor.flipped = {{.file = "clip12.wav", .now_right = false, .true_labels = {1}, .ours_predicted = 0, .baseline_predicted = 1},
                         {.file = "clip20.wav", .now_right = true, .true_labels = {2}, .ours_predicted = 2, .baseline_predicted = 1},
                         {.file = "odd.wav", .now_right = true, .true_labels = {7}, .ours_predicted = 2, .baseline_predicted = 1}};
        view.setReport(QStringLiteral("eval"), report, p, &floor);
        QTableWidget* flipped = view.flippedTable();
        QCOMPARE(flipped->rowCount(), 2);  // odd.wav names a class the report lacks
        QCOMPARE(flipped->item(0, 4)->text(), QStringLiteral("broken"));
        QCOMPARE(flipped->item(1, 2)->text(), QStringLiteral("owl"));
        view.setClipRoot(QStringLiteral("/data"));
        view.tabs()->setCurrentWidget(view.comparisonPage());
        flipped->setCurrentCell(1, 0);
        QSignalSpy play(&view, &EvaluateView::playClipRequested);
        view.playSelectedClip();
        QCOMPARE(play.count(), 1);
        QCOMPARE(play.at(0).at(0).toString(), QStringLiteral("/data/clip20.wav"));
        // The matrix as this model minus the baseline: the baseline took 1 dog for a cat, not 3.
        QVERIFY(!view.differenceBox()->isEnabled());  // this comparison has no matrices
        floor.ours_confusion = report.confusion;
        floor.baseline_confusion = report.confusion;
        floor.baseline_confusion.counts[1 * 3 + 0] = 1;
        floor.baseline_confusion.counts[1 * 3 + 1] = 9;
        view.setReport(QStringLiteral("eval"), report, p, &floor);
        QVERIFY(view.differenceBox()->isEnabled());
        view.resize(1100, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.differenceBox()->setChecked(true);
        ui::ConfusionMatrixView* m = view.confusionView();
        QVERIFY(m->differenceShown());
        QVERIFY2(m->readoutAt(m->cellRect(1, 0).center()).contains(QStringLiteral("3 clips here, 1 with the baseline (+2)")),
                 qPrintable(m->readoutAt(m->cellRect(1, 0).center())));
        const QImage image = m->grab().toImage();
        auto corner = [&](int t, int q) { return image.pixelColor(m->cellRect(t, q).topLeft() + QPoint(2, 2)); };
        QCOMPARE(corner(1, 0), ui::ConfusionMatrixView::differenceColour(2, false, 2));  // worse: red
        QCOMPARE(corner(0, 0), ui::ConfusionMatrixView::differenceColour(0, true, 2));   // the same: grey
        QVERIFY(ui::ConfusionMatrixView::differenceColour(2, true, 2).green() > 120);   // better: green
        QVERIFY(ui::ConfusionMatrixView::differenceColour(2, false, 2).red() > 180);
        view.differenceBox()->setChecked(false);
        QVERIFY(!m->differenceShown());
        view.setReport(QStringLiteral("eval"), report, p);  // no comparison: no verdict, no tab
        QVERIFY(!view.summary().contains(QStringLiteral("Against")));
        QVERIFY(!view.tabs()->isTabVisible(tab));
        QVERIFY(!m->differenceShown());
    }

    void confusionMatrixColoursAndReadout() {
        const Predictions p = threeClasses();
        const EvaluationReport report = computeReport(p);
        EvaluateView view;
        view.resize(1100, 800);
        QVERIFY(!view.hasReport());
        view.setReport(QStringLiteral("eval"), report, p);
        QVERIFY(view.hasReport());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        ConfusionMatrixView* m = view.confusionView();
        QCOMPARE(m->matrix().at(1, 0), std::int64_t{3});
        const QImage image = m->grab().toImage();
        auto colourOf = [&](int t, int pr) {
            const QRect r = m->cellRect(t, pr);
            return image.pixelColor(r.left() + 2, r.top() + 2);  // a corner: away from the count text
        };
        // A full row share is the top of the colour map, an empty cell its bottom.
        QCOMPARE(colourOf(0, 0), ui::colourAt(ui::ColourMap::Viridis, 1.0));
        QCOMPARE(colourOf(0, 2), ui::colourAt(ui::ColourMap::Viridis, 0.0));
        QCOMPARE(colourOf(1, 0), ui::colourAt(ui::ColourMap::Viridis, 0.3));
        const QString readout = m->readoutAt(m->cellRect(1, 0).center());
        QVERIFY2(readout.contains(QStringLiteral("true dog, predicted cat: 3 clips (30.0% of dog)")),
                 qPrintable(readout));
        QVERIFY(m->readoutAt(QPoint(1, 1)).isEmpty());
        QVERIFY2(view.summary().contains(QStringLiteral("accuracy 86.7%")), qPrintable(view.summary()));
    }

    void curvesTableAndFailuresFollowTheSelectedClass() {
        const Predictions p = threeClasses();
        const EvaluationReport report = computeReport(p);
        EvaluateView view;
        view.resize(1100, 800);
        view.setReport(QStringLiteral("eval"), report, p);
        // It opens on the hardest class: dog (lowest F1).
        QCOMPARE(view.selectedClass(), 1);
        QVERIFY2(view.curveTitle().contains(QStringLiteral("dog")), qPrintable(view.curveTitle()));
        QCOMPARE(view.rocSeries()->count(), static_cast<int>(report.ranking.per_class[1].roc.fpr.size()));
        // A click on the owl row of the matrix selects owl.
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::mouseClick(view.confusionView(), Qt::LeftButton, {},
                          view.confusionView()->cellRect(2, 1).center());
        QCOMPARE(view.selectedClass(), 2);
        QVERIFY2(view.curveTitle().contains(QStringLiteral("owl")), qPrintable(view.curveTitle()));
        QCOMPARE(view.prSeries()->count(), static_cast<int>(report.ranking.per_class[2].pr.recall.size()));
        QCOMPARE(view.classTable()->rowCount(), 3);
        QCOMPARE(view.failureTable()->rowCount(), 4);  // 3 dogs called cat, 1 owl called dog
        QCOMPARE(view.failureTable()->item(0, 1)->text(), QStringLiteral("dog"));
        QCOMPARE(view.failureTable()->item(0, 2)->text(), QStringLiteral("cat"));
        view.clear();
        QVERIFY(!view.hasReport());
        QCOMPARE(view.classTable()->rowCount(), 0);
    }

    void aCellListsItsClipsToPlayAndOpen() {
        const Predictions p = threeClasses();
        const EvaluationReport report = computeReport(p);
        EvaluateView view;
        view.resize(1100, 800);
        view.setClipRoot(QStringLiteral("/data/words"));
        view.setReport(QStringLiteral("eval"), report, p);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy play(&view, &EvaluateView::playClipRequested);
        QSignalSpy open(&view, &EvaluateView::openClipRequested);
        // The dogs called cat: 3 clips, most confident first, each with its margin over "dog".
        QTest::mouseClick(view.confusionView(), Qt::LeftButton, {}, view.confusionView()->cellRect(1, 0).center());
        QTableWidget* cells = view.cellTable();
        QCOMPARE(view.tabs()->currentWidget(), cells);
        QCOMPARE(view.tabs()->tabText(view.tabs()->currentIndex()), QStringLiteral("dog called cat (3)"));
        QCOMPARE(cells->rowCount(), 3);
        QCOMPARE(cells->item(0, 0)->text(), QStringLiteral("clip12.wav"));  // score 0.8
        QCOMPARE(cells->item(0, 3)->text(), QStringLiteral("0.800"));
        QCOMPARE(cells->item(0, 4)->text(), QStringLiteral("0.700"));  // 0.8 - 0.1
        QCOMPARE(cells->item(2, 0)->text(), QStringLiteral("clip10.wav"));
        QCOMPARE(view.clipPath(cells, 0), QStringLiteral("/data/words/clip12.wav"));
        cells->sortByColumn(4, Qt::AscendingOrder);  // nearly right first
        QCOMPARE(cells->item(0, 0)->text(), QStringLiteral("clip10.wav"));
        // Play, Enter, double-click: the selected row's file.
        cells->setCurrentCell(1, 0);
        view.playSelectedClip();
        QCOMPARE(play.count(), 1);
        QCOMPARE(play.at(0).at(0).toString(), QStringLiteral("/data/words/clip11.wav"));
        cells->setFocus();
        QTest::keyClick(cells, Qt::Key_Return);
        QCOMPARE(play.count(), 2);
        const QPoint third = cells->visualItemRect(cells->item(2, 0)).center();
        QTest::mouseClick(cells->viewport(), Qt::LeftButton, {}, third);  // a double-click starts as a press
        QTest::mouseDClick(cells->viewport(), Qt::LeftButton, {}, third);
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.at(0).at(0).toString(), QStringLiteral("/data/words/clip12.wav"));
        // Explain: the selected clip with the class it was taken for.
        QSignalSpy explain(&view, &EvaluateView::explainClipRequested);
        view.explainSelectedClip();
        QCOMPARE(explain.count(), 1);
        QCOMPARE(explain.at(0).at(0).toString(), QStringLiteral("/data/words/clip12.wav"));
        QCOMPARE(explain.at(0).at(1).toString(), QStringLiteral("cat"));
        // A right cell: margins over the runner-up; the failures table plays the same way.
        view.showCell(0, 0);
        QCOMPARE(cells->rowCount(), 10);
        QCOMPARE(cells->item(0, 4)->text(), QStringLiteral("0.850"));  // 0.9 - 0.05
        view.tabs()->setCurrentWidget(view.failureTable());
        view.failureTable()->setCurrentCell(0, 0);
        view.playSelectedClip();
        QCOMPARE(play.count(), 3);
        QVERIFY(play.at(2).at(0).toString().startsWith(QStringLiteral("/data/words/clip1")));
        // Nothing to play from the per-class table.
        view.tabs()->setCurrentWidget(view.classTable());
        view.playSelectedClip();
        QCOMPARE(play.count(), 3);
        view.clear();
        QCOMPARE(cells->rowCount(), 0);
    }

    void reliabilityDiagramDrawsTheBinsAndTheError() {
        const Predictions p = threeClasses();
        const EvaluationReport report = computeReport(p);
        EvaluateView view;
        view.setReport(QStringLiteral("eval"), report, p);
        int bins = 0;
        for (const auto& b : report.calibration.bins)
            bins += b.count > 0;
        QVERIFY(bins >= 3);  // confidences 0.6, 0.7, 0.8, 0.9
        QCOMPARE(view.reliabilitySeries()->count(), bins);
        QVERIFY2(view.reliabilityTitle().contains(
                     QStringLiteral("expected calibration error %1").arg(report.calibration.expected_calibration_error, 0, 'f', 3)),
                 qPrintable(view.reliabilityTitle()));
        // Scores that are not probabilities (logits) have none.
        Predictions logits = p;
        for (double& v : logits.scores.values)
            v = 4 * v - 1;
        view.setReport(QStringLiteral("logits"), computeReport(logits), logits);
        QCOMPARE(view.reliabilitySeries()->count(), 0);
        QVERIFY2(view.reliabilityTitle().contains(QStringLiteral("not probabilities")), qPrintable(view.reliabilityTitle()));
    }

    void multiLabelThresholdsMoveTheOperatingPoint() {
        const Predictions p = test::dogCatOwl();
        EvaluateView view;
        view.setReport(QStringLiteral("tags"), computeReport(p), p);
        QVERIFY(view.tabs()->isTabVisible(view.tabs()->indexOf(view.thresholdPage())));
        view.selectClass(0);  // dog
        view.classThresholdSlider()->setValue(350);
        QCOMPARE(view.thresholds().of("dog"), 0.35);
        QVERIFY2(view.thresholdText().contains(QStringLiteral("precision 0.500, recall 0.500, F1 0.500 (1 found, 1 false alarms, 1 missed)")),
                 qPrintable(view.thresholdText()));
        QCOMPARE(view.operatingPointSeries()->count(), 1);
        QCOMPARE(view.operatingPointSeries()->at(0), QPointF(0.5, 0.5));
        view.globalThresholdSlider()->setValue(650);  // cat and owl follow it; dog keeps its own
        QCOMPARE(view.thresholds().of("cat"), 0.65);
        QCOMPARE(view.thresholds().of("dog"), 0.35);
        QVERIFY2(view.thresholdText().contains(QStringLiteral("micro precision")), qPrintable(view.thresholdText()));
        QSignalSpy save(&view, &EvaluateView::saveThresholdsRequested);
        view.saveThresholdsButton()->click();
        QCOMPARE(save.count(), 1);
        const auto saved = save.at(0).at(0).value<patchout::DecisionThresholds>();
        QCOMPARE(saved.of("dog"), 0.35);
        QCOMPARE(saved.global, 0.65);
        // The run's thresholds come back as given; a single-label report has no such tab.
        view.setThresholds({.global = 0.2});
        QCOMPARE(view.globalThresholdSlider()->value(), 200);
        const Predictions single = threeClasses();
        view.setReport(QStringLiteral("eval"), computeReport(single), single);
        QVERIFY(!view.tabs()->isTabVisible(view.tabs()->indexOf(view.thresholdPage())));
    }

    void multiLabelMatrixCountsFoundAndFalseAlarmsAtTheThresholds() {
        const Predictions p = test::dogCatOwl();
        EvaluateView view;
        view.setReport(QStringLiteral("tags"), computeReport(p), p);
        QVERIFY2(view.summary().contains(QStringLiteral("mAP")), qPrintable(view.summary()));
        QVERIFY(view.rocSeries()->count() > 1);
        // At 0.5: dog found in a, missed in d where owl is said; cat found in a and b (a's dog is
        // one of its labels, no alarm); owl found in c.
        const ConfusionMatrix& m = view.confusionView()->matrix();
        QCOMPARE(m.n_classes, std::size_t{3});
        QCOMPARE(m.counts, (std::vector<std::int64_t>{1, 0, 1, 0, 2, 0, 0, 0, 1}));
        QVERIFY(view.confusionView()->toolTip().contains(QStringLiteral("said present")));
        // It opens on the commonest false alarm: d, a dog, with owl said at 0.6 (0.1 above 0.5).
        QCOMPARE(view.tabs()->currentWidget(), view.cellTable());
        QCOMPARE(view.tabs()->tabText(view.tabs()->indexOf(view.cellTable())), QStringLiteral("dog with owl said (1)"));
        QCOMPARE(view.cellTable()->item(0, 0)->text(), QStringLiteral("d"));
        QCOMPARE(view.cellTable()->item(0, 1)->text(), QStringLiteral("dog"));
        QCOMPARE(view.cellTable()->item(0, 3)->text(), QStringLiteral("0.600"));
        QCOMPARE(view.cellTable()->item(0, 4)->text(), QStringLiteral("0.100"));
        view.showCell(1, 1);  // cat found: a lists both its labels
        QCOMPARE(view.cellTable()->rowCount(), 2);
        QCOMPARE(view.cellTable()->item(0, 0)->text(), QStringLiteral("b"));  // 0.7 first
        QCOMPARE(view.cellTable()->item(1, 1)->text(), QStringLiteral("dog; cat"));
        // Moving the thresholds recounts the matrix and the listed cell.
        view.globalThresholdSlider()->setValue(650);
        QCOMPARE(view.confusionView()->matrix().at(1, 1), std::int64_t{1});  // a's cat 0.6 < 0.65
        QCOMPARE(view.confusionView()->matrix().at(0, 2), std::int64_t{0});  // d's owl 0.6 < 0.65
        QCOMPARE(view.cellTable()->rowCount(), 1);
        QCOMPARE(view.tabs()->tabText(view.tabs()->indexOf(view.cellTable())), QStringLiteral("cat found (1)"));
    }

    void multiLabelOpeningCellFollowsTheRunsThresholdsUntilACellIsClicked() {
        const Predictions p = test::dogCatOwl();
        EvaluateView view;
        view.setReport(QStringLiteral("tags"), computeReport(p), p);
        auto listed = [&view] { return view.tabs()->tabText(view.tabs()->indexOf(view.cellTable())); };
        QCOMPARE(listed(), QStringLiteral("dog with owl said (1)"));  // the commonest alarm at 0.5
        // The run's thresholds arrive: owl at 0.7 no longer says d's 0.6; dog at 0.35 says b's 0.4.
        DecisionThresholds run;
        run.per_class = {{"dog", 0.35}, {"owl", 0.7}};
        view.setThresholds(run);
        QCOMPARE(listed(), QStringLiteral("cat with dog said (1)"));
        QCOMPARE(view.cellTable()->item(0, 0)->text(), QStringLiteral("b"));
        // A cell the user picked stays picked as the thresholds move.
        view.showCell(1, 1);
        run.per_class["owl"] = 0.5;
        view.setThresholds(run);
        QCOMPARE(listed(), QStringLiteral("cat found (2)"));
    }
};

PATCHOUT_REGISTER_QTEST(EvaluateViewTest);

#include "test_evaluate_view.moc"
