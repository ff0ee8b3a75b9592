// EvaluateView: a report becomes the confusion matrix (colour by row share, hover read-out, a
// click selects the class), the selected class's ROC and PR curves, the per-class table and the
// failure list; a multi-label report has no matrix but still its curves.
#include "qtest_registry.h"

#include "patchout/ui/colour_map.h"
#include "patchout/ui/evaluate_view.h"

#include <QChartView>
#include <QLineSeries>
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
        view.setReport(QStringLiteral("eval"), report, p);  // no comparison: no verdict
        QVERIFY(!view.summary().contains(QStringLiteral("Against")));
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

    void multiLabelHasCurvesButNoMatrix() {
        Predictions p = threeClasses();
        p.multi_label = true;
        p.labels[0] = {0, 2};
        const EvaluationReport report = computeReport(p);
        EvaluateView view;
        view.setReport(QStringLiteral("tags"), report, p);
        QCOMPARE(view.confusionView()->matrix().n_classes, std::size_t{0});
        QVERIFY2(view.summary().contains(QStringLiteral("mAP")), qPrintable(view.summary()));
        QVERIFY(view.rocSeries()->count() > 1);
    }
};

PATCHOUT_REGISTER_QTEST(EvaluateViewTest);

#include "test_evaluate_view.moc"
