// PredictionTimeline: segments of overlapping windows tile the file, each in its best class's
// colour and more opaque the surer the model; hover text, click-to-seek, the visible range of the
// spectrogram above it, and ClassBarsState built from a file's window.
#include "qtest_registry.h"

#include "patchout/ui/class_bars.h"
#include "patchout/ui/colour_map.h"
#include "patchout/ui/prediction_timeline.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using patchout::ClipResult;
using patchout::WindowResult;
using patchout::ui::ClassBarsState;
using patchout::ui::PredictionTimeline;
using patchout::ui::categoryColour;

namespace {

// 4 s in 1 s windows every 0.5 s (7 windows): class 1 ("yes") for the first 2 s, class 0 ("no")
// after, the last window unsure.
ClipResult yesThenNo() {
    ClipResult r;
    r.name = "clip.wav";
    r.duration_s = 4.0;
    for (int i = 0; i < 7; ++i) {
        WindowResult w;
        w.start_s = 0.5 * i;
        w.end_s = w.start_s + 1.0;
        const float yes = i < 3 ? 0.9f : (i == 6 ? 0.45f : 0.1f);
        w.scores = {1.0f - yes, yes, 0.0f};
        if (i == 6)
            w.scores = {0.5f, 0.45f, 0.05f};
        r.windows.push_back(w);
    }
    return r;
}

const QStringList kLabels{QStringLiteral("no"), QStringLiteral("yes"), QStringLiteral("maybe")};

}  // namespace

class PredictionTimelineTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void segmentsTileTheFileAndFindTheirWindow() {
        PredictionTimeline t;
        QVERIFY(!t.hasResult());
        t.setResult(yesThenNo(), kLabels, QStringLiteral("words.safetensors"));
        QVERIFY(t.hasResult());
        // Centres 0.5, 1.0, ...: window 0 runs 0 - 0.75, window 1 0.75 - 1.25, the last 3.25 - 4.0.
        QCOMPARE(t.windowAt(0.0), 0);
        QCOMPARE(t.windowAt(0.74), 0);
        QCOMPARE(t.windowAt(0.76), 1);
        QCOMPARE(t.windowAt(3.3), 6);
        QCOMPARE(t.windowAt(4.0), 6);
        QCOMPARE(t.windowAt(4.1), -1);
        QCOMPARE(t.best(0).first, 1);
        QCOMPARE(t.best(4).first, 0);
        QCOMPARE(t.label(1), QStringLiteral("yes"));
        QCOMPARE(t.label(7), QStringLiteral("class 7"));
        QCOMPARE(t.describeWindow(0, 2), QStringLiteral("0.00-1.00 s: yes 0.90, no 0.10"));
        t.clear();
        QVERIFY(!t.hasResult());
        QCOMPARE(t.windowAt(1.0), -1);
    }

    void drawsEachWindowInItsClassColour() {
        PredictionTimeline t;
        t.resize(462, 30);  // a 400-pixel plot: 100 pixels a second
        t.setResult(yesThenNo(), kLabels);
        t.setVisibleRange(0, 4.0);
        const QImage image = t.grab().toImage();
        const int y = t.plotRect().center().y();
        // Sure windows are close to their class colour; the unsure last one is paler.
        auto distance = [](QColor a, QColor b) {
            return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue());
        };
        const QColor yes = image.pixelColor(static_cast<int>(t.xAtSeconds(0.1)), y);
        const QColor no = image.pixelColor(static_cast<int>(t.xAtSeconds(2.6)), y);
        const QColor unsure = image.pixelColor(static_cast<int>(t.xAtSeconds(3.9)), y);
        QVERIFY2(distance(yes, categoryColour(1)) < 60, qPrintable(yes.name()));
        QVERIFY2(distance(no, categoryColour(0)) < 60, qPrintable(no.name()));
        QVERIFY2(distance(unsure, categoryColour(0)) > distance(no, categoryColour(0)) + 40, qPrintable(unsure.name()));
        // Zoomed to 2 - 4 s, the left edge shows window 3 ("no").
        t.setVisibleRange(2.0, 4.0);
        const QImage zoomed = t.grab().toImage();
        QVERIFY(distance(zoomed.pixelColor(t.plotRect().left() + 2, y), categoryColour(0)) < 60);
    }

    void clickAsksToSeek() {
        PredictionTimeline t;
        t.resize(462, 30);
        t.setResult(yesThenNo(), kLabels);
        t.setVisibleRange(0, 4.0);
        QSignalSpy seek(&t, &PredictionTimeline::seekRequested);
        QTest::mouseClick(&t, Qt::LeftButton, {}, QPoint(static_cast<int>(t.xAtSeconds(1.5)), 15));
        QCOMPARE(seek.count(), 1);
        QVERIFY(std::abs(seek.at(0).at(0).toDouble() - 1.5) < 0.02);
        QTest::mouseClick(&t, Qt::LeftButton, {}, QPoint(10, 15));  // the margin: nothing
        QCOMPARE(seek.count(), 1);
    }

    void classBarsFromAFileWindow() {
        const ClipResult r = yesThenNo();
        const auto name = [](int cls) { return kLabels.value(cls); };
        const ClassBarsState sure = ClassBarsState::fromWindow(r.windows[0], name, 0.5, 2);
        QCOMPARE(sure.labels, (QStringList{QStringLiteral("yes"), QStringLiteral("no")}));
        QCOMPARE(sure.active, QStringLiteral("yes"));
        QVERIFY(!sure.background);
        QVERIFY(sure.from_file);
        QCOMPARE(sure.window_start_s, 0.0);
        QCOMPARE(sure.time_s, 1.0);
        const ClassBarsState unsure = ClassBarsState::fromWindow(r.windows[6], name, 0.6);
        QVERIFY(unsure.background);  // 0.5 is under the threshold
        QCOMPARE(unsure.labels.size(), 3);
    }
};

PATCHOUT_REGISTER_QTEST(PredictionTimelineTest);

#include "test_prediction_timeline.moc"
