// SpectrogramView: a chirp's features drawn with the bright pixels on the chirp's frequency, hover
// read-out for a simulated mouse move, zoom / pan / seek with simulated wheel and drag, live
// scrolling and the play cursor.
#include "qtest_registry.h"

#include "patchout/audio_source.h"
#include "patchout/features.h"
#include "patchout/ui/spectrogram_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPixmap>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

using namespace patchout;
using namespace patchout::ui;

namespace {

constexpr double kChirpStart = 200.0, kChirpEnd = 12000.0, kChirpSeconds = 2.0;

Features chirpFeatures(const std::string& preset) {
    SignalOptions s;
    s.kind = SignalKind::Chirp;
    s.duration_s = kChirpSeconds;
    s.frequency_hz = kChirpStart;
    s.end_frequency_hz = kChirpEnd;
    s.amplitude = 0.5;
    return FeatureExtractor(featurePreset(preset)).compute(synthesize(s));
}

// A hand-made block: value = 10 * frame + bin, so a read-out names the cell it came from.
Features labelledBlock(int bins, int frames, double frameRate) {
    Features f;
    f.n_bins = bins;
    f.n_frames = frames;
    f.frame_rate = frameRate;
    f.db_per_unit = 1.0;
    f.log = LogMode::Db;
    for (int b = 0; b < bins; ++b)
        f.bin_frequencies.push_back(100.0 * (b + 1));
    for (int t = 0; t < frames; ++t)
        for (int b = 0; b < bins; ++b)
            f.data.push_back(static_cast<float>(10 * t + b));
    return f;
}

void moveMouse(QWidget* w, QPointF pos) {
    QMouseEvent e(QEvent::MouseMove, pos, w->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

void mouseButton(QWidget* w, QEvent::Type type, QPointF pos) {
    QMouseEvent e(type, pos, w->mapToGlobal(pos), Qt::LeftButton,
                  type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

double luminance(QRgb c) { return 0.2126 * qRed(c) + 0.7152 * qGreen(c) + 0.0722 * qBlue(c); }

}  // namespace

class SpectrogramViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chirpBrightPixelsFollowFrequency_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<double>("relativeTolerance");
        QTest::newRow("linear-db-32k") << QStringLiteral("linear-db-32k") << 0.04;
        QTest::newRow("passt-32k") << QStringLiteral("passt-32k") << 0.08;
    }
    void chirpBrightPixelsFollowFrequency() {
        QFETCH(QString, preset);
        QFETCH(double, relativeTolerance);
        SpectrogramView view;
        view.resize(900, 420);
        view.setFeatures(chirpFeatures(preset.toStdString()));
        QCOMPARE(view.visibleStart(), 0.0);
        QVERIFY(std::abs(view.visibleEnd() - kChirpSeconds) < 0.02);
        const QImage image = view.grab().toImage();
        const QRect plot = view.plotRect();
        double previous = 0;
        for (int i = 1; i <= 9; ++i) {
            const int x = plot.left() + plot.width() * i / 10;
            int brightestY = plot.top();
            double best = -1;
            for (int y = plot.top() + 1; y < plot.bottom(); ++y) {
                const double l = luminance(image.pixel(x, y));
                if (l > best) {
                    best = l;
                    brightestY = y;
                }
            }
            const double t = view.secondsAtX(x + 0.5);
            const double expected = kChirpStart + (kChirpEnd - kChirpStart) * t / kChirpSeconds;
            const double measured = view.frequencyAtY(brightestY);
            QVERIFY2(std::abs(measured - expected) <= std::max(150.0, relativeTolerance * expected),
                     qPrintable(QStringLiteral("t=%1 s: brightest at %2 Hz, chirp at %3 Hz")
                                    .arg(t).arg(measured).arg(expected)));
            QVERIFY(measured > previous);
            previous = measured;
        }
    }

    void axisMappingsInvert() {
        SpectrogramView view;
        view.resize(600, 300);
        view.setFeatures(chirpFeatures("passt-32k"));
        for (double hz : {300.0, 1000.0, 5000.0, 12000.0})
            QVERIFY(std::abs(view.frequencyAtY(view.yAtFrequency(hz)) - hz) < 1e-6 * hz + 1e-6);
        for (double s : {0.0, 0.5, 1.9})
            QVERIFY(std::abs(view.secondsAtX(view.xAtSeconds(s)) - s) < 1e-9);
    }

    void hoverReadoutForMouseMove() {
        SpectrogramView view;
        view.resize(500, 300);
        view.setFeatures(labelledBlock(4, 10, 10.0));
        QSignalSpy spy(&view, &SpectrogramView::hoverChanged);
        const QPointF inside(view.xAtSeconds(0.75), view.yAtBin(2));
        moveMouse(&view, inside);
        QCOMPARE(spy.count(), 1);
        const auto r = spy.at(0).at(0).value<HoverReadout>();
        QVERIFY(r.valid);
        QCOMPARE(r.frame, 7);
        QCOMPARE(r.bin, 2);
        QVERIFY(std::abs(r.seconds - 0.75) < 1.0 / view.plotRect().width() * 1.0 + 1e-9);
        QCOMPARE(r.frequency_hz, 300.0);
        QCOMPARE(r.value, 72.0);
        QCOMPARE(r.level_db, 72.0 - 93.0);  // below the block's maximum (frame 9, bin 3)
        QVERIFY2(view.readoutText().contains(QStringLiteral("300 Hz")), qPrintable(view.readoutText()));
        QVERIFY2(view.readoutText().contains(QStringLiteral("-21.0 dB")), qPrintable(view.readoutText()));

        moveMouse(&view, QPointF(3, 3));  // over the axis labels: no data
        QCOMPARE(spy.count(), 2);
        QVERIFY(!spy.at(1).at(0).value<HoverReadout>().valid);
        QVERIFY(view.readoutText().isEmpty());
    }

    void wheelZoomsAroundTheMouse() {
        SpectrogramView view;
        view.resize(600, 300);
        view.setFeatures(labelledBlock(4, 200, 100.0));  // 2 s
        const QPointF at(view.xAtSeconds(0.5), view.plotRect().center().y());
        const double anchor = view.secondsAtX(at.x());
        QWheelEvent wheel(at, view.mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &wheel);
        QVERIFY(std::abs((view.visibleEnd() - view.visibleStart()) - 2.0 / 1.25) < 1e-9);
        QVERIFY(std::abs(view.secondsAtX(at.x()) - anchor) < 1e-9);
    }

    void dragPansAndClickSeeks() {
        SpectrogramView view;
        view.resize(600, 300);
        view.setFeatures(labelledBlock(4, 400, 100.0));  // 4 s
        view.setVisibleRange(1.0, 2.0);
        const QRect plot = view.plotRect();
        const QPointF start(plot.center());
        QSignalSpy seek(&view, &SpectrogramView::seekRequested);
        mouseButton(&view, QEvent::MouseButtonPress, start);
        moveMouse(&view, start - QPointF(plot.width() / 4.0, 0));
        mouseButton(&view, QEvent::MouseButtonRelease, start - QPointF(plot.width() / 4.0, 0));
        QVERIFY(std::abs(view.visibleStart() - 1.25) < 1e-9);
        QVERIFY(std::abs(view.visibleEnd() - 2.25) < 1e-9);
        QCOMPARE(seek.count(), 0);  // a drag is not a click

        const QPointF click(view.xAtSeconds(2.0), plot.center().y());
        mouseButton(&view, QEvent::MouseButtonPress, click);
        mouseButton(&view, QEvent::MouseButtonRelease, click);
        QCOMPARE(seek.count(), 1);
        QVERIFY(std::abs(seek.at(0).at(0).toDouble() - 2.0) < 0.01);

        view.setVisibleRange(-5, 100);  // clamped to the data
        QCOMPARE(view.visibleStart(), 0.0);
        QCOMPARE(view.visibleEnd(), 4.0);
    }

    void liveModeScrollsNewestToTheRight() {
        SpectrogramView view;
        view.resize(500, 250);
        Features meta = labelledBlock(8, 0, 100.0);
        view.beginLive(meta, 1.0);
        QCOMPARE(view.mode(), SpectrogramView::Mode::Live);
        for (int block = 0; block < 15; ++block) {
            Features f = labelledBlock(8, 10, 100.0);
            for (auto& v : f.data)
                v = block == 14 ? 0.f : -100.f;  // only the newest block is loud
            view.appendFrames(f);
        }
        QCOMPARE(view.features().n_frames, 100);
        QVERIFY(std::abs(view.startSeconds() - 0.5) < 1e-9);
        QVERIFY(std::abs(view.visibleEnd() - 1.5) < 1e-9);
        const QImage image = view.grab().toImage();
        const QRect plot = view.plotRect();
        const int y = plot.center().y();
        const QRgb loud = colourAt(ColourMap::Viridis, 1.0).rgb();
        const QRgb quiet = colourAt(ColourMap::Viridis, 0.0).rgb();
        QCOMPARE(image.pixel(plot.right() - 5, y), loud);
        QCOMPARE(image.pixel(plot.left() + plot.width() / 2, y), quiet);
        view.setVisibleRange(0, 0.2);  // ignored: the live window follows the stream
        QVERIFY(std::abs(view.visibleEnd() - 1.5) < 1e-9);
        Features wrong = labelledBlock(3, 5, 100.0);
        view.appendFrames(wrong);  // other bins: not appended
        QCOMPARE(view.features().n_frames, 100);
    }

    void liveRepaintFitsTheFrameBudget() {
        // The heaviest live case: linear frequency (513 bins), a full 10 s window, a new block per
        // repaint. 30 frames a second leave 33 ms; the paint must take a fraction of that.
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
        QSKIP("the frame budget is measured in optimised builds (release, ci) only");
#endif
        SpectrogramView view;
        view.resize(1000, 420);
        const Features block = chirpFeatures("linear-db-32k");  // 2 s = 200 frames
        view.beginLive(block, 10.0);
        for (int i = 0; i < 5; ++i)
            view.appendFrames(block);
        QCOMPARE(view.features().n_frames, 1000);
        Features frame = block;
        frame.n_frames = 1;
        frame.data.resize(static_cast<std::size_t>(frame.n_bins));
        QPixmap target(view.size());
        std::vector<double> ms;
        for (int i = 0; i < 15; ++i) {
            view.appendFrames(frame);
            QElapsedTimer t;
            t.start();
            view.render(&target);
            ms.push_back(t.nsecsElapsed() / 1e6);
        }
        std::sort(ms.begin(), ms.end());
        const double median = ms[ms.size() / 2];
        qInfo("live repaint, 513 bins x 1000 frames into %dx%d: median %.2f ms (budget 33.3 ms at 30 fps)",
              view.width(), view.height(), median);
        QVERIFY2(median < 33.3, qPrintable(QString::number(median)));
    }

    void playCursorIsDrawn() {
        SpectrogramView view;
        view.resize(500, 250);
        ColourMapParams grey;
        grey.map = ColourMap::Grey;
        grey.max_value = 100.0;  // with an 80 dB range, the block's zeros lie below: black
        view.setColourMapParams(grey);
        Features f = labelledBlock(4, 200, 100.0);
        std::fill(f.data.begin(), f.data.end(), 0.f);
        view.setFeatures(f);
        view.setCursorSeconds(1.0);
        const QImage image = view.grab().toImage();
        const int x = static_cast<int>(std::floor(view.xAtSeconds(1.0)));
        const int y = view.plotRect().center().y();
        QVERIFY(luminance(image.pixel(x, y)) > 200);
        QVERIFY(luminance(image.pixel(x + 20, y)) < 50);
    }

    void anExplanationIsLaidOverItsCells() {
        const Features f = labelledBlock(4, 100, 100.0);  // 1 s, bins at 100 ... 400 Hz
        FileExplanation e;
        e.window = f;
        e.label = "seven";
        e.map.freq_patches = 2;
        e.map.time_patches = 3;
        e.map.stride_f = 2;
        e.map.stride_t = 20;
        e.map.patch_size = 2;
        e.map.values = {0, 0, 0, 1.0f, 0.5f, 0};  // row 1 (the higher band), column 0 strongest
        const SpectrogramOverlay o = SpectrogramOverlay::of(e);
        QCOMPARE(o.time_edges, (std::vector<double>{0, 0.2, 0.4, 0.42}));
        QCOMPARE(o.freq_edges, (std::vector<double>{100, 300, 400}));
        QVERIFY(o.label.contains(QStringLiteral("seven")));
        SpectrogramView view;
        view.resize(700, 320);
        view.setFeatures(f);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage before = view.grab().toImage();
        view.setOverlay(o);
        const QImage after = view.grab().toImage();
        const QPoint hot(static_cast<int>(view.xAtSeconds(0.1)), static_cast<int>(view.yAtFrequency(370)));
        const QPoint cold(static_cast<int>(view.xAtSeconds(0.3)), static_cast<int>(view.yAtFrequency(150)));
        QVERIFY2(after.pixelColor(hot).red() > before.pixelColor(hot).red() + 60,
                 qPrintable(after.pixelColor(hot).name() + QLatin1Char(' ') + before.pixelColor(hot).name()));
        QCOMPARE(after.pixelColor(cold), before.pixelColor(cold));  // a cell the score did not need
        QCOMPARE(SpectrogramView::overlayColour(0).alpha(), 0);
        view.setOverlayVisible(false);
        QCOMPARE(view.grab().toImage().pixelColor(hot), before.pixelColor(hot));
        // A malformed overlay is refused; a new file clears it.
        SpectrogramOverlay bad = o;
        bad.values.pop_back();
        view.setOverlay(bad);
        QVERIFY(view.overlay().empty());
        view.setOverlay(o);
        view.setFeatures(f);
        QVERIFY(view.overlay().empty());
    }
};

PATCHOUT_REGISTER_QTEST(SpectrogramViewTest);

#include "test_spectrogram_view.moc"
