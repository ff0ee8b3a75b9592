// ListenView: the device-less fallback (says so, files and the synthetic source still work), the
// microphone entries, and the display settings reaching the spectrogram.
#include "qtest_registry.h"

#include "patchout/audio_source.h"
#include "patchout/ui/listen_view.h"
#include "patchout/ui/spectrogram_view.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>

using namespace patchout;
using namespace patchout::ui;

namespace {

Features smallBlock() {
    Features f;
    f.n_bins = 3;
    f.n_frames = 50;
    f.frame_rate = 100;
    f.db_per_unit = 1;
    f.bin_frequencies = {100, 200, 300};
    f.data.assign(150, 1.f);
    return f;
}

}  // namespace

class ListenViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void withoutDevicesSaysSoAndStillWorks() {
        ListenView view;
        view.setInputDevices({});
        QVERIFY(!view.hasInputDevices());
        QVERIFY2(view.message().contains(QStringLiteral("No audio input device")), qPrintable(view.message()));
        QComboBox* source = view.sourceSelector();
        QCOMPARE(source->itemText(0), QStringLiteral("No audio input device found"));
        auto* model = qobject_cast<QStandardItemModel*>(source->model());
        QVERIFY(model != nullptr);
        QVERIFY(!model->item(0)->isEnabled());
        for (int i = 1; i < source->count(); ++i)
            QVERIFY(model->item(i)->isEnabled());
        // Nothing selectable refers to a microphone.
        for (int i = 0; i < source->count(); ++i) {
            source->setCurrentIndex(i);
            QVERIFY(view.currentSource().kind != SourceKind::Microphone);
        }

        // The synthetic source starts...
        QSignalSpy start(&view, &ListenView::startRequested);
        view.selectSource({SourceKind::Synthetic, -1, SignalKind::Chirp});
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QCOMPARE(start.count(), 1);
        const auto chosen = start.at(0).at(0).value<SourceChoice>();
        QCOMPARE(chosen.kind, SourceKind::Synthetic);
        QCOMPARE(chosen.signal, SignalKind::Chirp);
        // ...and a file can be opened and shown.
        QSignalSpy open(&view, &ListenView::openFileRequested);
        view.selectSource({SourceKind::File, -1, SignalKind::Chirp});
        QCOMPARE(view.startButton()->text(), QStringLiteral("Open…"));
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QCOMPARE(open.count(), 1);
        QVERIFY(!view.playButton()->isEnabled());
        view.showFile(QStringLiteral("words.wav"), smallBlock());
        QVERIFY(view.playButton()->isEnabled());
        QCOMPARE(view.spectrogram()->features().n_frames, 50);
        QCOMPARE(view.spectrogram()->cursorSeconds(), 0.0);
        // Asking for a missing microphone falls back to the synthetic chirp.
        view.selectSource({SourceKind::Microphone, 0, SignalKind::Chirp});
        QCOMPARE(view.currentSource().kind, SourceKind::Synthetic);
    }

    void listsMicrophones() {
        ListenView view;
        AudioDeviceInfo mic;
        mic.index = 3;
        mic.name = "USB microphone";
        mic.max_input_channels = 1;
        mic.is_default = true;
        view.setInputDevices({mic});
        QVERIFY(view.hasInputDevices());
        QVERIFY(view.message().isEmpty());
        view.selectSource({SourceKind::Microphone, 3, SignalKind::Chirp});
        QCOMPARE(view.currentSource().kind, SourceKind::Microphone);
        QCOMPARE(view.currentSource().device, 3);
        QVERIFY(view.sourceSelector()->currentText().contains(QStringLiteral("USB microphone")));
        QSignalSpy start(&view, &ListenView::startRequested);
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QCOMPARE(start.count(), 1);
        QCOMPARE(start.at(0).at(0).value<SourceChoice>().device, 3);

        // While live, the button stops, recording is possible and the source is locked.
        view.setLiveRunning(true);
        QCOMPARE(view.startButton()->text(), QStringLiteral("Stop"));
        QVERIFY(view.recordButton()->isEnabled());
        QVERIFY(!view.sourceSelector()->isEnabled());
        QSignalSpy stop(&view, &ListenView::stopRequested);
        QTest::mouseClick(view.startButton(), Qt::LeftButton);
        QCOMPARE(stop.count(), 1);
        QSignalSpy record(&view, &ListenView::recordRequested);
        QTest::mouseClick(view.recordButton(), Qt::LeftButton);
        QCOMPARE(record.count(), 1);
        QCOMPARE(record.at(0).at(0).toBool(), true);
        QVERIFY(!view.recordButton()->isChecked());  // until the app confirms
        view.setRecording(true);
        QVERIFY(view.recordButton()->isChecked());
    }

    void displaySettingsReachTheSpectrogram() {
        ListenView view;
        QSignalSpy params(&view, &ListenView::colourMapParamsChanged);
        QSignalSpy preset(&view, &ListenView::featurePresetChanged);
        QCOMPARE(view.colourMapParams().range_db, 80.0);
        QCOMPARE(view.colourMapParams().map, ColourMap::Viridis);
        QCOMPARE(view.featurePreset(), QStringLiteral("passt-32k"));
        ColourMapParams p;
        p.map = ColourMap::Magma;
        p.range_db = 60;
        view.setColourMapParams(p);
        QCOMPARE(view.spectrogram()->colourMapParams().map, ColourMap::Magma);
        QCOMPARE(view.spectrogram()->colourMapParams().range_db, 60.0);
        QVERIFY(params.count() >= 1);
        view.setFeaturePreset(QStringLiteral("linear-db-32k"));
        QCOMPARE(preset.count(), 1);
        QCOMPARE(preset.at(0).at(0).toString(), QStringLiteral("linear-db-32k"));
    }

    void showsErrors() {
        ListenView view;
        view.setInputDevices({});
        view.showMessage(QStringLiteral("Cannot open /x/bad.wav: not audio"), ListenView::MessageKind::Error);
        QCOMPARE(view.message(), QStringLiteral("Cannot open /x/bad.wav: not audio"));
        view.clearMessage();
        QVERIFY(view.message().isEmpty());
    }

    void syntheticSignalsAreEndlessAt32k() {
        for (SignalKind k : {SignalKind::Chirp, SignalKind::Sine, SignalKind::WhiteNoise}) {
            const SignalOptions o = syntheticSignal(k);
            QCOMPARE(o.sample_rate, 32000);
            QCOMPARE(o.kind, k);
            auto source = makeSyntheticSource(o);
            std::vector<float> buffer(64000);
            QCOMPARE(source->read(buffer.data(), buffer.size()), buffer.size());
            QCOMPARE(source->read(buffer.data(), buffer.size()), buffer.size());  // 4 s: still going
            QVERIFY(!source->finished());
        }
    }
};

PATCHOUT_REGISTER_QTEST(ListenViewTest);

#include "test_listen_view.moc"
