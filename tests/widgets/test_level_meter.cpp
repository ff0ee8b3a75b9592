// LevelMeter: dBFS conversion, peak hold, clip mark and the drawn bar.
#include "qtest_registry.h"

#include "patchout/ui/level_meter.h"

#include <QApplication>
#include <QMouseEvent>
#include <QTest>

#include <cmath>

using patchout::ui::LevelMeter;

class LevelMeterTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convertsToDbfs() {
        QCOMPARE(LevelMeter::toDbfs(1.0), 0.0);
        QVERIFY(std::abs(LevelMeter::toDbfs(0.1) + 20.0) < 1e-9);
        QCOMPARE(LevelMeter::toDbfs(0.0), LevelMeter::kFloorDb);
        QCOMPARE(LevelMeter::toDbfs(1e-9), LevelMeter::kFloorDb);
        QCOMPARE(LevelMeter::fractionForDb(0.0), 1.0);
        QCOMPARE(LevelMeter::fractionForDb(-30.0), 0.5);
        QCOMPARE(LevelMeter::fractionForDb(-90.0), 0.0);
    }

    void holdsPeakAndMarksClipping() {
        LevelMeter meter;
        meter.setLevels(0.1, 0.5);
        QVERIFY(std::abs(meter.rmsDb() + 20.0) < 1e-9);
        QVERIFY(std::abs(meter.peakDb() - 20.0 * std::log10(0.5)) < 1e-9);
        QCOMPARE(meter.heldPeakDb(), meter.peakDb());
        QVERIFY(!meter.clipped());
        meter.setLevels(0.01, 0.05);  // quieter, within the hold time: the peak stays
        QVERIFY(std::abs(meter.heldPeakDb() - 20.0 * std::log10(0.5)) < 1e-9);
        QVERIFY(std::abs(meter.peakDb() + 26.0206) < 1e-3);
        meter.setLevels(0.5, 1.0);
        QVERIFY(meter.clipped());
        QCOMPARE(meter.heldPeakDb(), 0.0);
        QMouseEvent click(QEvent::MouseButtonPress, QPointF(5, 5), QPointF(5, 5), Qt::LeftButton,
                          Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&meter, &click);
        QVERIFY(!meter.clipped());
        meter.reset();
        QCOMPARE(meter.rmsDb(), LevelMeter::kFloorDb);
    }

    void drawsTheRmsBar() {
        LevelMeter meter;
        meter.resize(200, 18);
        meter.setLevels(0.1, 0.2);  // RMS -20 dBFS: two thirds of the bar
        const QImage image = meter.grab().toImage();
        const int y = 9;
        const QColor filled = image.pixelColor(static_cast<int>(200 * 0.5), y);
        const QColor empty = image.pixelColor(static_cast<int>(200 * 0.85), y);
        QVERIFY2(filled.green() > 100, qPrintable(filled.name()));
        QCOMPARE(empty, QColor(30, 30, 30));
        meter.setLevels(0.0, 0.0);
        const QImage silent = meter.grab().toImage();
        QCOMPARE(silent.pixelColor(100, y), QColor(30, 30, 30));
    }
};

PATCHOUT_REGISTER_QTEST(LevelMeterTest);

#include "test_level_meter.moc"
