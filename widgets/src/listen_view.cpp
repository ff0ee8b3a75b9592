#include "patchout/ui/listen_view.h"

#include "patchout/ui/class_bars.h"
#include "patchout/ui/level_meter.h"
#include "patchout/ui/prediction_timeline.h"
#include "patchout/ui/spectrogram_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace patchout::ui {
namespace {

constexpr int kKindRole = Qt::UserRole;
constexpr int kValueRole = Qt::UserRole + 1;

}  // namespace

SignalOptions syntheticSignal(SignalKind kind) {
    SignalOptions o;
    o.kind = kind;
    o.sample_rate = 32000;
    o.amplitude = 0.3;
    o.duration_s = 0;  // endless; a chirp then sweeps once a second (SignalOptions' convention)
    o.frequency_hz = kind == SignalKind::Chirp ? 100.0 : 1000.0;
    o.end_frequency_hz = 12000.0;
    o.amplitude = kind == SignalKind::WhiteNoise ? 0.1 : 0.3;
    return o;
}

ListenView::ListenView(QWidget* parent) : QWidget(parent) {
    qRegisterMetaType<SourceChoice>();
    qRegisterMetaType<ColourMapParams>();

    m_source = new QComboBox(this);
    m_source->setToolTip(tr("Where the audio comes from"));
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_start = new QPushButton(tr("Start"), this);
    m_play = new QPushButton(tr("Play"), this);
    m_play->setToolTip(tr("Play or pause the file (Space)"));
    m_play->setShortcut(Qt::Key_Space);
    m_record = new QPushButton(tr("Record"), this);
    m_record->setCheckable(true);
    m_record->setToolTip(tr("Record the live input to a WAV file"));

    m_preset = new QComboBox(this);
    m_preset->addItem(tr("Log-mel (PaSST)"), QStringLiteral("passt-32k"));
    m_preset->addItem(tr("Mel, dB"), QStringLiteral("mel-db-32k"));
    m_preset->addItem(tr("Linear, dB"), QStringLiteral("linear-db-32k"));
    m_preset->setToolTip(tr("Frequency scale of the spectrogram"));
    m_range = new QSpinBox(this);
    m_range->setRange(20, 160);
    m_range->setSingleStep(10);
    m_range->setValue(80);
    m_range->setSuffix(tr(" dB"));
    m_range->setToolTip(tr("Dynamic range shown below the loudest point"));
    m_colours = new QComboBox(this);
    for (const QString& name : colourMapNames())
        m_colours->addItem(name, name);
    m_colours->setToolTip(tr("Colour map"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Source:"), this));
    controls->addWidget(m_source);
    controls->addWidget(m_start);
    controls->addWidget(m_play);
    controls->addWidget(m_record);
    controls->addSpacing(16);
    controls->addStretch(1);
    controls->addWidget(new QLabel(tr("Frequency:"), this));
    controls->addWidget(m_preset);
    controls->addWidget(new QLabel(tr("Range:"), this));
    controls->addWidget(m_range);
    controls->addWidget(new QLabel(tr("Colours:"), this));
    controls->addWidget(m_colours);
    m_overlayBox = new QCheckBox(tr("explanation"), this);
    m_overlayBox->setToolTip(tr("What the model looked at in the window explained (Listen > Explain the window at "
                                "the cursor…, then Show in Listen)"));
    m_overlayBox->setVisible(false);
    controls->addWidget(m_overlayBox);
    connect(m_overlayBox, &QCheckBox::toggled, this, [this](bool on) { m_spectrogram->setOverlayVisible(on); });

    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_spectrogram = new SpectrogramView(this);
    m_timeline = new PredictionTimeline(this);
    m_timeline->setVisible(false);  // shown once a model is loaded
    auto* column = new QVBoxLayout;
    column->setSpacing(2);
    column->addWidget(m_spectrogram, 1);
    column->addWidget(m_timeline, 0);
    m_displayRow = new QHBoxLayout;
    m_displayRow->addLayout(column, 1);
    m_classBars = new ClassBars(this);
    m_classBars->setVisible(false);  // shown once a model is loaded
    m_displayRow->addWidget(m_classBars, 0);

    m_meter = new LevelMeter(this);
    m_meter->setFixedWidth(220);
    m_readout = new QLabel(this);
    m_readout->setMinimumWidth(280);
    m_position = new QLabel(this);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(new QLabel(tr("Level:"), this));
    bottom->addWidget(m_meter);
    bottom->addSpacing(16);
    bottom->addWidget(m_readout, 1);
    bottom->addWidget(m_position);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_title);
    layout->addWidget(m_message);
    layout->addLayout(m_displayRow, 1);
    layout->addLayout(bottom);

    setInputDevices({});
    applyColourMap();

    connect(m_start, &QPushButton::clicked, this, &ListenView::onStartClicked);
    connect(m_source, &QComboBox::activated, this, &ListenView::onSourceActivated);
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { updateButtons(); });
    connect(m_play, &QPushButton::clicked, this, [this] {
        if (m_playing)
            Q_EMIT pauseRequested();
        else
            Q_EMIT playRequested();
    });
    connect(m_record, &QPushButton::clicked, this, [this](bool on) {
        // The app confirms with setRecording() once the recorder really runs (or stopped).
        m_record->setChecked(m_recording);
        Q_EMIT recordRequested(on);
    });
    connect(m_preset, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT featurePresetChanged(featurePreset()); });
    connect(m_range, &QSpinBox::valueChanged, this, [this] { applyColourMap(); });
    connect(m_colours, &QComboBox::currentIndexChanged, this, [this] { applyColourMap(); });
    connect(m_spectrogram, &SpectrogramView::hoverChanged, this, &ListenView::onHover);
    connect(m_spectrogram, &SpectrogramView::seekRequested, this, &ListenView::seekRequested);
    connect(m_spectrogram, &SpectrogramView::visibleRangeChanged, m_timeline, &PredictionTimeline::setVisibleRange);
    connect(m_timeline, &PredictionTimeline::seekRequested, this, &ListenView::seekRequested);
}

void ListenView::showPredictions(const ClipResult& result, const QStringList& labels, const QString& model) {
    m_timeline->setResult(result, labels, model);
    m_timeline->setVisibleRange(m_spectrogram->visibleStart(), m_spectrogram->visibleEnd());
    m_timeline->setVisible(true);
    m_timelineWindow = -1;
    const double cursor = m_spectrogram->cursorSeconds();
    setPlayPosition(std::isnan(cursor) ? 0.0 : cursor);
}

void ListenView::clearPredictions() {
    m_timeline->clear();
    m_timelineWindow = -1;
}

void ListenView::setInputDevices(const std::vector<AudioDeviceInfo>& devices) {
    const SourceChoice previous = m_source->count() > 0 ? currentSource() : SourceChoice{};
    m_source->clear();
    m_hasDevices = !devices.empty();
    for (const AudioDeviceInfo& d : devices) {
        QString label = tr("Microphone: %1").arg(QString::fromStdString(d.name));
        if (d.is_default)
            label += tr(" (default)");
        m_source->addItem(label);
        m_source->setItemData(m_source->count() - 1, static_cast<int>(SourceKind::Microphone), kKindRole);
        m_source->setItemData(m_source->count() - 1, d.index, kValueRole);
    }
    if (!m_hasDevices) {
        m_source->addItem(tr("No audio input device found"));
        // Disabled, so it can be read but not chosen.
        if (auto* model = qobject_cast<QStandardItemModel*>(m_source->model()))
            model->item(0)->setEnabled(false);
    }
    auto add = [this](const QString& label, SourceKind kind, int value) {
        m_source->addItem(label);
        m_source->setItemData(m_source->count() - 1, static_cast<int>(kind), kKindRole);
        m_source->setItemData(m_source->count() - 1, value, kValueRole);
    };
    add(tr("Audio file…"), SourceKind::File, 0);
    add(tr("Synthetic: chirp 100 Hz - 12 kHz / s"), SourceKind::Synthetic, static_cast<int>(SignalKind::Chirp));
    add(tr("Synthetic: sine 1 kHz"), SourceKind::Synthetic, static_cast<int>(SignalKind::Sine));
    add(tr("Synthetic: white noise"), SourceKind::Synthetic, static_cast<int>(SignalKind::WhiteNoise));
    selectSource(previous);
    if (!m_hasDevices)
        showMessage(tr("No audio input device found: open an audio file or use the synthetic "
                       "source."));
    else if (m_message->text().startsWith(tr("No audio input device found")))
        clearMessage();
}

SourceChoice ListenView::currentSource() const {
    const int i = m_source->currentIndex();
    const QVariant kind = m_source->itemData(i, kKindRole);
    if (!kind.isValid())
        return {};
    SourceChoice c;
    c.kind = static_cast<SourceKind>(kind.toInt());
    const int value = m_source->itemData(i, kValueRole).toInt();
    if (c.kind == SourceKind::Microphone)
        c.device = value;
    else if (c.kind == SourceKind::Synthetic)
        c.signal = static_cast<SignalKind>(value);
    return c;
}

void ListenView::selectSource(const SourceChoice& choice) {
    int chirp = -1;
    for (int i = 0; i < m_source->count(); ++i) {
        const QVariant kind = m_source->itemData(i, kKindRole);
        if (!kind.isValid())
            continue;
        const auto k = static_cast<SourceKind>(kind.toInt());
        const int value = m_source->itemData(i, kValueRole).toInt();
        if (k == SourceKind::Synthetic && value == static_cast<int>(SignalKind::Chirp))
            chirp = i;
        const bool match = k == choice.kind &&
                           (k == SourceKind::File ||
                            (k == SourceKind::Microphone && (value == choice.device || choice.device < 0)) ||
                            (k == SourceKind::Synthetic && value == static_cast<int>(choice.signal)));
        if (match) {
            m_source->setCurrentIndex(i);
            return;
        }
    }
    m_source->setCurrentIndex(chirp);
}

QString ListenView::featurePreset() const { return m_preset->currentData().toString(); }

void ListenView::setFeaturePreset(const QString& name) {
    const int i = m_preset->findData(name);
    if (i >= 0)
        m_preset->setCurrentIndex(i);
}

ColourMapParams ListenView::colourMapParams() const {
    ColourMapParams p;
    p.map = colourMapFromName(m_colours->currentData().toString());
    p.range_db = m_range->value();
    return p;
}

void ListenView::setColourMapParams(const ColourMapParams& params) {
    const QSignalBlocker b1(m_range), b2(m_colours);
    m_range->setValue(static_cast<int>(std::lround(params.range_db)));
    m_colours->setCurrentIndex(std::max(0, m_colours->findData(colourMapName(params.map))));
    applyColourMap();
}

void ListenView::applyColourMap() {
    m_spectrogram->setColourMapParams(colourMapParams());
    Q_EMIT colourMapParamsChanged(colourMapParams());
}

void ListenView::showFile(const QString& name, const Features& features) {
    m_sourceName = name;
    m_fileShown = true;
    m_fileDuration = features.durationSeconds();
    m_title->setText(tr("%1 — %2 s, %3 bins").arg(name).arg(m_fileDuration, 0, 'f', 2).arg(features.n_bins));
    m_spectrogram->setFeatures(features);
    m_overlayBox->setVisible(false);  // the new file has no explanation yet
    m_spectrogram->setCursorSeconds(0.0);
    m_meter->reset();
    setPlayPosition(0.0);
    updateButtons();
}

void ListenView::beginLive(const QString& sourceName, const Features& metadata) {
    m_sourceName = sourceName;
    m_fileShown = false;
    m_title->setText(tr("Live: %1").arg(sourceName));
    m_spectrogram->beginLive(metadata);
    m_overlayBox->setVisible(false);
    clearPredictions();
    m_timeline->setVisible(false);
    m_spectrogram->setCursorSeconds(std::numeric_limits<double>::quiet_NaN());
    m_position->clear();
    m_meter->reset();
    updateButtons();
}

void ListenView::appendFeatures(const Features& frames) {
    m_spectrogram->appendFrames(frames);
    if (m_liveRunning)
        m_position->setText(tr("%1 s").arg(m_spectrogram->startSeconds() +
                                                m_spectrogram->features().durationSeconds(),
                                            0, 'f', 1));
}

void ListenView::setLevels(double rms, double peak) { m_meter->setLevels(rms, peak); }

void ListenView::setLiveRunning(bool running) {
    m_liveRunning = running;
    updateButtons();
}

void ListenView::setPlaying(bool playing) {
    m_playing = playing;
    updateButtons();
}

void ListenView::setRecording(bool recording) {
    m_recording = recording;
    m_record->setChecked(recording);
    updateButtons();
}

void ListenView::setPlayPosition(double seconds) {
    m_spectrogram->setCursorSeconds(seconds);
    m_timeline->setCursorSeconds(m_fileShown ? seconds : -1);
    const int window = m_fileShown && m_timeline->hasResult() && !m_liveRunning ? m_timeline->windowAt(seconds) : -1;
    if (window >= 0 && window != m_timelineWindow) {
        m_timelineWindow = window;
        const ClipResult& r = m_timeline->result();
        m_classBars->showState(ClassBarsState::fromWindow(
            r.windows[static_cast<std::size_t>(window)],
            [this](int cls) { return m_timeline->label(cls); }, 0.5));
    }
    if (m_fileShown)
        m_position->setText(tr("%1 / %2 s").arg(seconds, 0, 'f', 2).arg(m_fileDuration, 0, 'f', 2));
}

void ListenView::showMessage(const QString& text, MessageKind kind) {
    m_message->setText(text);
    m_message->setStyleSheet(kind == MessageKind::Error
                                 ? QStringLiteral("QLabel { background: #fbe3e3; color: #8a1010; "
                                                  "border: 1px solid #d88; padding: 4px; }")
                                 : QStringLiteral("QLabel { background: #eef3fb; color: #1d3a66; "
                                                  "border: 1px solid #a9bde0; padding: 4px; }"));
    m_message->setVisible(!text.isEmpty());
}

void ListenView::clearMessage() {
    m_message->clear();
    m_message->setVisible(false);
}

QString ListenView::message() const { return m_message->isHidden() ? QString() : m_message->text(); }

void ListenView::onStartClicked() {
    if (m_liveRunning) {
        Q_EMIT stopRequested();
        return;
    }
    const SourceChoice c = currentSource();
    if (!m_source->itemData(m_source->currentIndex(), kKindRole).isValid())
        return;  // the "no device" line
    if (c.kind == SourceKind::File)
        Q_EMIT openFileRequested();
    else
        Q_EMIT startRequested(c);
}

void ListenView::onSourceActivated(int index) {
    const QVariant kind = m_source->itemData(index, kKindRole);
    if (!kind.isValid())
        return;
    const SourceChoice c = currentSource();
    if (c.kind == SourceKind::File)
        Q_EMIT openFileRequested();
    else if (c.kind == SourceKind::Microphone)
        Q_EMIT inputDeviceChanged(c.device);
}

void ListenView::onHover(const HoverReadout& readout) {
    m_readout->setText(readout.valid ? m_spectrogram->readoutText() : QString());
}

void ListenView::showOverlay(const SpectrogramOverlay& overlay) {
    m_spectrogram->setOverlay(overlay);
    const QSignalBlocker block(m_overlayBox);
    m_overlayBox->setChecked(true);
    m_overlayBox->setVisible(!m_spectrogram->overlay().empty());
}

void ListenView::updateButtons() {
    const bool fileSelected = currentSource().kind == SourceKind::File;
    const bool choosable = m_source->itemData(m_source->currentIndex(), kKindRole).isValid();
    m_start->setText(m_liveRunning ? tr("Stop") : fileSelected ? tr("Open…") : tr("Start"));
    m_start->setEnabled(m_liveRunning || choosable);
    m_play->setText(m_playing ? tr("Pause") : tr("Play"));
    m_play->setEnabled(m_fileShown && !m_liveRunning);
    m_record->setEnabled(m_liveRunning || m_recording);
    m_source->setEnabled(!m_liveRunning);
}

}  // namespace patchout::ui
