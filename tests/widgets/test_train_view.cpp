// TrainView: the curves it is given become series (loss by step, accuracy by epoch, the best
// epoch marked), the summary says how far the run is, and a run without validation still draws.
#include "qtest_registry.h"

#include "patchout/ui/train_view.h"

#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QScatterSeries>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <limits>

using patchout::TrainingCurves;
using patchout::ui::TrainView;

namespace {

TrainingCurves curves(int epochs, bool validation) {
    TrainingCurves c;
    for (int e = 1; e <= epochs; ++e) {
        for (int s = 1; s <= 4; ++s)
            c.steps.push_back({.epoch = e, .step = (e - 1) * 20 + s * 5, .loss = 2.3 / (e + 0.1 * s), .lr = 1e-3});
        TrainingCurves::Epoch ep{.epoch = e, .step = e * 20, .train_loss = 2.3 / e, .lr = 1e-3, .seconds = 4.0};
        const double nan = std::numeric_limits<double>::quiet_NaN();
        ep.validation_loss = validation ? 2.0 / e : nan;
        // Accuracy rises to a peak at epoch 4, then falls back.
        ep.validation_accuracy = validation ? (e <= 4 ? 0.2 * e : 0.8 - 0.05 * (e - 4)) : nan;
        c.epochs.push_back(ep);
    }
    return c;
}

}  // namespace

class TrainViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsLossAccuracyAndTheBestEpoch() {
        TrainView view;
        view.resize(900, 500);
        QVERIFY(!view.hasRun());
        view.setRun(QStringLiteral("words"), curves(6, true), 10);
        QVERIFY(view.hasRun());
        QCOMPARE(view.trainLossSeries()->count(), 24);
        QCOMPARE(view.validationLossSeries()->count(), 6);
        QCOMPARE(view.accuracySeries()->count(), 6);
        QCOMPARE(view.accuracySeries()->at(3), QPointF(4, 80));  // percent
        QCOMPARE(view.bestEpochSeries()->count(), 1);
        QCOMPARE(view.bestEpochSeries()->at(0), QPointF(4, 80));
        QVERIFY(view.accuracyAxis()->min() <= 20 && view.accuracyAxis()->max() >= 80);
        const QString s = view.summary();
        QVERIFY2(s.contains(QStringLiteral("epoch 6 of 10")), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("80.0% at epoch 4")), qPrintable(s));
        QVERIFY2(s.contains(QStringLiteral("4.0 s per epoch")), qPrintable(s));
        QVERIFY(!view.grab().isNull());
    }

    void runWithoutValidationAndEmptyRun() {
        TrainView view;
        view.setRun(QStringLiteral("no-val"), curves(3, false), 0);
        QCOMPARE(view.trainLossSeries()->count(), 12);
        QCOMPARE(view.validationLossSeries()->count(), 0);
        QCOMPARE(view.accuracySeries()->count(), 0);
        QCOMPARE(view.bestEpochSeries()->count(), 0);
        QVERIFY2(view.summary().contains(QStringLiteral("no validation clips")), qPrintable(view.summary()));
        view.setRun(QStringLiteral("fresh"), TrainingCurves{}, 5);
        QVERIFY2(view.summary().contains(QStringLiteral("nothing logged yet")), qPrintable(view.summary()));
        view.clear();
        QVERIFY(!view.hasRun());
        QCOMPARE(view.trainLossSeries()->count(), 0);
    }

    void startAndStopButtons() {
        patchout::ui::TrainView view;
        view.show();
        QSignalSpy newRun(&view, &patchout::ui::TrainView::newRunRequested);
        QSignalSpy stop(&view, &patchout::ui::TrainView::stopRequested);
        QVERIFY(!view.stopButton()->isVisible());  // nothing to stop
        QTest::mouseClick(view.newRunButton(), Qt::LeftButton);
        QCOMPARE(newRun.count(), 1);
        view.setTraining(true, QStringLiteral("epoch 1/5 · step 3 of 40"));
        QVERIFY(view.training());
        QVERIFY(!view.newRunButton()->isEnabled());  // one run at a time
        QVERIFY(view.stopButton()->isVisible());
        QCOMPARE(view.trainingStatus(), QStringLiteral("epoch 1/5 · step 3 of 40"));
        QTest::mouseClick(view.stopButton(), Qt::LeftButton);
        QCOMPARE(stop.count(), 1);
        view.setTraining(true, QStringLiteral("epoch 1/5 · step 4 of 40"));  // still stopping
        QVERIFY(!view.stopButton()->isEnabled());
        view.setTraining(false, QStringLiteral("Stopped at step 4"));
        QVERIFY(!view.stopButton()->isVisible());
        QVERIFY(view.newRunButton()->isEnabled());
        view.setTraining(true);  // the next run can be stopped again
        QVERIFY(view.stopButton()->isEnabled());
    }
};

PATCHOUT_REGISTER_QTEST(TrainViewTest);

#include "test_train_view.moc"
