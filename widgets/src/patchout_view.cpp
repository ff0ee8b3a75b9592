#include "patchout/ui/patchout_view.h"

#include "patchout/error.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace patchout::ui {

PatchGrid PatchGrid::of(const PaSSTOptions& o) {
    PatchGrid g;
    g.patch_size = o.patch_size;
    g.stride_f = o.stride_f;
    g.stride_t = o.stride_t;
    g.freq_patches = (o.n_mels - o.patch_size) / o.stride_f + 1;
    g.time_patches = (o.input_frames - o.patch_size) / o.stride_t + 1;
    g.input_frames = o.input_frames;
    g.bins = o.n_mels;
    return g;
}

// ---- PatchoutCanvas --------------------------------------------------------------------------

PatchoutCanvas::PatchoutCanvas(QWidget* parent) : QWidget(parent) {
    setMinimumSize(400, 200);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QSize PatchoutCanvas::sizeHint() const { return {900, 360}; }

void PatchoutCanvas::setContent(const Features& features, const PatchGrid& grid, const PatchoutMask& mask,
                                const ColourMapParams& colours) {
    m_grid = grid;
    m_mask = mask;
    // The model sees input_frames frames: the block is cut, or padded with its quietest value.
    Features cut = features;
    if (grid.input_frames > 0 && features.n_frames > 0 && features.n_bins > 0) {
        const float quiet = *std::min_element(features.data.begin(), features.data.end());
        cut.n_frames = grid.input_frames;
        cut.data.assign(static_cast<std::size_t>(cut.n_frames) * features.n_bins, quiet);
        const int frames = std::min(features.n_frames, grid.input_frames);
        std::copy(features.data.begin(), features.data.begin() + static_cast<std::ptrdiff_t>(frames) * features.n_bins,
                  cut.data.begin());
    }
    m_image = cut.n_frames > 0 && cut.n_bins > 0 ? renderFeatures(cut, colours) : QImage();
    update();
}

QRect PatchoutCanvas::plotRect() const { return rect().adjusted(4, 4, -4, -4); }

QRect PatchoutCanvas::blockRect(int bin0, int bin1, int frame0, int frame1) const {
    if (m_image.isNull())
        return {};
    bin0 = std::clamp(bin0, 0, m_image.height());
    bin1 = std::clamp(bin1, 0, m_image.height());
    frame0 = std::clamp(frame0, 0, m_image.width());
    frame1 = std::clamp(frame1, 0, m_image.width());
    if (bin1 <= bin0 || frame1 <= frame0)
        return {};
    const QRect plot = plotRect();
    const double sx = static_cast<double>(plot.width()) / m_image.width();
    const double sy = static_cast<double>(plot.height()) / m_image.height();
    const int x0 = plot.left() + static_cast<int>(std::lround(frame0 * sx));
    const int x1 = plot.left() + static_cast<int>(std::lround(frame1 * sx));
    // Bin 0 is at the bottom of the image.
    const int y1 = plot.top() + static_cast<int>(std::lround((m_image.height() - bin0) * sy));
    const int y0 = plot.top() + static_cast<int>(std::lround((m_image.height() - bin1) * sy));
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

QRect PatchoutCanvas::cellRect(int f, int t) const {
    if (f < 0 || t < 0 || f >= m_grid.freq_patches || t >= m_grid.time_patches)
        return {};
    // A patch starts every stride; the last row/column reaches the patch's full size.
    const int t0 = t * m_grid.stride_t;
    const int t1 = t + 1 == m_grid.time_patches ? t0 + m_grid.patch_size : t0 + m_grid.stride_t;
    const int f0 = f * m_grid.stride_f;
    const int f1 = f + 1 == m_grid.freq_patches ? f0 + m_grid.patch_size : f0 + m_grid.stride_f;
    return blockRect(f0, f1, t0, t1);
}

void PatchoutCanvas::setSpecAugmentMasks(const SpecAugmentMasks& masks) {
    m_specAugment = masks;
    m_showSpecAugment = true;
    update();
}

void PatchoutCanvas::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (m_image.isNull()) {
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Open an audio file (File > Open audio…): its log-mel appears here under "
                            "the model's patch grid."));
        return;
    }
    const QRect plot = plotRect();
    painter.drawImage(plot, m_image);
    const QColor hidden(0, 0, 0, 190);
    if (m_showSpecAugment) {
        // Zeroed bands: dark, hatched (the patches under them are still computed).
        for (const auto& band : m_specAugment.time) {
            const QRect r = blockRect(0, m_image.height(), band.start, band.start + band.width);
            painter.fillRect(r, hidden);
            painter.fillRect(r, QBrush(QColor(255, 255, 255, 60), Qt::BDiagPattern));
        }
        for (const auto& band : m_specAugment.freq) {
            const QRect r = blockRect(band.start, band.start + band.width, 0, m_image.width());
            painter.fillRect(r, hidden);
            painter.fillRect(r, QBrush(QColor(255, 255, 255, 60), Qt::FDiagPattern));
        }
    } else if (m_mask.masks() > 0) {
        for (int f = 0; f < m_grid.freq_patches; ++f)
            for (int t = 0; t < m_grid.time_patches; ++t)
                if (!m_mask.isKept(0, f, t))
                    painter.fillRect(cellRect(f, t), hidden);
    }
    painter.setPen(QColor(255, 255, 255, 70));
    for (int t = 1; t < m_grid.time_patches; ++t) {
        const int x = cellRect(0, t).left();
        painter.drawLine(x, plot.top(), x, plot.bottom());
    }
    for (int f = 1; f < m_grid.freq_patches; ++f) {
        const int y = cellRect(f, 0).bottom() + 1;
        painter.drawLine(plot.left(), y, plot.right(), y);
    }
}

// ---- PatchoutView ----------------------------------------------------------------------------

namespace {

// A measurement's two lines against the share of patches kept: the class's mean score and the
// share of masks that keep it on top.
void drawRobustness(const PatchoutRobustness& r, QLineSeries* score, QLineSeries* sameTop) {
    QList<QPointF> scores, same;
    for (const auto& p : r.points) {
        const double kept = r.patches > 0 ? static_cast<double>(p.kept_patches) / r.patches : 0;
        scores.append({kept, p.mean_score});
        same.append({kept, p.same_top_share});
    }
    score->replace(scores);
    sameTop->replace(same);
}

// The point nearest half the patches left out, the one worth a sentence.
auto halfPatches(const PatchoutRobustness& r) {
    return std::min_element(r.points.begin(), r.points.end(), [](const auto& a, const auto& b) {
        return std::abs(a.drop_share - 0.5) < std::abs(b.drop_share - 0.5);
    });
}

// PaSST's AudioSet recipe masks up to 192 of 998 frames and 48 of 128 bins, one mask each: the same
// proportions on another grid.
AugmentOptions paperSpecAugment(const PatchGrid& grid) {
    AugmentOptions a;
    a.time_masks = 1;
    a.time_mask_frames = std::max(1, static_cast<int>(std::lround(grid.input_frames * 192.0 / 998.0)));
    a.freq_masks = 1;
    a.freq_mask_bins = std::max(1, static_cast<int>(std::lround(grid.bins * 48.0 / 128.0)));
    return a;
}

}  // namespace

PatchoutView::PatchoutView(QWidget* parent) : QWidget(parent) {
    m_preset = new QComboBox(this);
    m_preset->setToolTip(tr("The model whose patch grid is shown"));
    auto spin = [this](int max, const QString& tip) {
        auto* s = new QSpinBox(this);
        s->setRange(0, max);
        s->setToolTip(tip);
        return s;
    };
    m_time = spin(999, tr("Whole time columns of patches dropped (s_patchout_t)"));
    m_freq = spin(999, tr("Whole frequency rows of patches dropped (s_patchout_f)"));
    m_unstructured = spin(99999, tr("Single patches dropped after that (u_patchout)"));
    m_seed = spin(1000000, tr("Seed of the random draw"));
    m_redraw = new QPushButton(tr("Draw again"), this);
    m_redraw->setToolTip(tr("A new random mask with the same settings (next seed)"));
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_canvas = new PatchoutCanvas(this);
    m_timeMasks = spin(20, tr("SpecAugment time masks per example"));
    m_timeMaskFrames = spin(100000, tr("Each time mask is up to this many frames wide (its width is drawn from 0 to it)"));
    m_freqMasks = spin(20, tr("SpecAugment frequency masks per example"));
    m_freqMaskBins = spin(1000, tr("Each frequency mask is up to this many bins wide (its width is drawn from 0 to it)"));
    m_specSummary = new QLabel(this);
    m_specSummary->setWordWrap(true);
    m_specSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_specCanvas = new PatchoutCanvas(this);
    m_specCanvas->setSpecAugmentMasks({});
    m_measure = new QPushButton(tr("Measure with the model"), this);
    m_measure->setToolTip(tr("Run the loaded model on this window with the shown mask, and with 16 random masks "
                             "at each share of patches left out"));
    m_compare = new QPushButton(tr("Beside another model…"), this);
    m_compare->setToolTip(tr("Measure a second model too, e.g. the same recipe trained without patchout, drawn "
                             "dashed beside the loaded one"));
    m_compareScore = new QLineSeries;
    m_compareSameTop = new QLineSeries;
    m_scoreSeries = new QLineSeries;
    m_scoreSeries->setName(tr("score of the class (mean of the masks)"));
    m_scoreSeries->setPointsVisible(true);
    m_sameTopSeries = new QLineSeries;
    m_sameTopSeries->setName(tr("masks keeping it on top"));
    m_sameTopSeries->setPointsVisible(true);
    m_shownSeries = new QScatterSeries;
    m_shownSeries->setName(tr("the shown mask"));
    m_shownSeries->setMarkerSize(11);
    m_shownSeries->setColor(QColor(220, 50, 47));
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(2, 2, 2, 2));
    auto* x = new QValueAxis;
    x->setRange(0, 1);
    x->setTitleText(tr("share of patches kept"));
    x->setLabelFormat(QStringLiteral("%.1f"));
    auto* y = new QValueAxis;
    y->setRange(0, 1);
    y->setLabelFormat(QStringLiteral("%.1f"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_scoreSeries, m_sameTopSeries, m_shownSeries, m_compareScore,
                                                          m_compareSameTop}) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    m_robustnessView = new QChartView(chart, this);
    m_robustnessView->setRenderHint(QPainter::Antialiasing);
    m_robustnessView->setMinimumSize(360, 220);
    m_robustnessText = new QLabel(this);
    m_robustnessText->setWordWrap(true);
    m_robustnessText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_robustnessText->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* controls = new QHBoxLayout;
    auto* form = new QFormLayout;
    form->addRow(tr("Model:"), m_preset);
    auto* form2 = new QFormLayout;
    form2->addRow(tr("Time columns:"), m_time);
    form2->addRow(tr("Frequency rows:"), m_freq);
    auto* form3 = new QFormLayout;
    form3->addRow(tr("Single patches:"), m_unstructured);
    form3->addRow(tr("Seed:"), m_seed);
    controls->addLayout(form);
    controls->addLayout(form2);
    controls->addLayout(form3);
    controls->addWidget(m_redraw, 0, Qt::AlignBottom);
    controls->addSpacing(24);
    auto* specForm = new QFormLayout;
    auto pair = [this](QSpinBox* count, QSpinBox* width, const QString& unit) {
        auto* row = new QHBoxLayout;
        row->addWidget(count);
        row->addWidget(new QLabel(tr("up to"), this));
        row->addWidget(width);
        row->addWidget(new QLabel(unit, this));
        return row;
    };
    specForm->addRow(tr("SpecAugment time masks:"), pair(m_timeMasks, m_timeMaskFrames, tr("frames")));
    specForm->addRow(tr("Frequency masks:"), pair(m_freqMasks, m_freqMaskBins, tr("bins")));
    controls->addLayout(specForm);
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    auto* canvases = new QHBoxLayout;
    auto* patchoutColumn = new QVBoxLayout;
    patchoutColumn->addWidget(m_summary);
    patchoutColumn->addWidget(m_canvas, 1);
    auto* specColumn = new QVBoxLayout;
    specColumn->addWidget(m_specSummary);
    specColumn->addWidget(m_specCanvas, 1);
    canvases->addLayout(patchoutColumn, 1);
    canvases->addLayout(specColumn, 1);
    layout->addLayout(canvases, 3);
    auto* measured = new QHBoxLayout;
    auto* measureColumn = new QVBoxLayout;
    auto* measureButtons = new QHBoxLayout;
    measureButtons->addWidget(m_measure, 1);
    measureButtons->addWidget(m_compare);
    measureColumn->addLayout(measureButtons);
    measureColumn->addWidget(m_robustnessText, 1);
    measured->addLayout(measureColumn, 1);
    measured->addWidget(m_robustnessView, 2);
    layout->addLayout(measured, 2);
    connect(m_compare, &QPushButton::clicked, this, &PatchoutView::comparisonModelRequested);
    connect(m_measure, &QPushButton::clicked, this, [this] {
        m_measure->setEnabled(false);
        m_robustnessText->setText(tr("Measuring with %1…").arg(m_modelName));
        Q_EMIT robustnessRequested();
    });
    setModelName({});

    for (QSpinBox* s : {m_time, m_freq, m_unstructured, m_seed})
        connect(s, &QSpinBox::valueChanged, this, &PatchoutView::request);
    for (QSpinBox* s : {m_timeMasks, m_timeMaskFrames, m_freqMasks, m_freqMaskBins, m_seed})
        connect(s, &QSpinBox::valueChanged, this, &PatchoutView::requestSpecAugment);
    connect(m_redraw, &QPushButton::clicked, this, [this] { m_seed->setValue(m_seed->value() + 1); });
    connect(m_preset, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (name.isEmpty())
            return;
        const PaSSTOptions model = passtPreset(name.toStdString());
        m_model = model;
        m_grid = PatchGrid::of(model);
        for (QSpinBox* box : {m_time, m_freq, m_unstructured}) {
            const QSignalBlocker block(box);
            box->setMaximum(box == m_time ? m_grid.time_patches
                            : box == m_freq ? m_grid.freq_patches
                                            : m_grid.freq_patches * m_grid.time_patches);
        }
        // The preset's own patchout, or 2 columns and 2 rows (what train_fsdd drops) for presets
        // trained without.
        setOptions(model.patchout.active() ? model.patchout
                                           : PatchoutOptions{.s_patchout_t = 2, .s_patchout_f = 2});
        // A run's own SpecAugment stays; otherwise the paper's proportions on this grid.
        if (m_specSource.isEmpty())
            setSpecAugmentOptions(paperSpecAugment(m_grid));
        else
            requestSpecAugment();
    });
}

void PatchoutView::setPresets(const QStringList& names) {
    m_preset->clear();
    m_preset->addItems(names);
}

void PatchoutView::setPreset(const QString& name) {
    if (const int i = m_preset->findText(name); i >= 0)
        m_preset->setCurrentIndex(i);
}

QString PatchoutView::preset() const { return m_preset->currentText(); }

PatchoutOptions PatchoutView::options() const {
    return {.s_patchout_t = m_time->value(), .s_patchout_f = m_freq->value(), .u_patchout = m_unstructured->value()};
}

void PatchoutView::setOptions(const PatchoutOptions& o) {
    for (auto [box, value] : {std::pair{m_time, o.s_patchout_t}, std::pair{m_freq, o.s_patchout_f},
                              std::pair{m_unstructured, o.u_patchout}}) {
        const QSignalBlocker block(box);
        box->setValue(value);
    }
    request();
}

std::uint64_t PatchoutView::seed() const { return static_cast<std::uint64_t>(m_seed->value()); }

void PatchoutView::setFeatures(const QString& source, const Features& features) {
    m_source = source;
    m_features = features;
    m_hasFeatures = features.n_frames > 0;
    m_canvas->setContent(m_features, m_grid, m_mask, m_colours);
    m_specCanvas->setContent(m_features, m_grid, {}, m_colours);
    setMask(m_mask);  // refreshes the summary with the source's name
}

void PatchoutView::setColourMapParams(const ColourMapParams& params) {
    m_colours = params;
    m_canvas->setContent(m_features, m_grid, m_mask, m_colours);
    m_specCanvas->setContent(m_features, m_grid, {}, m_colours);
}

void PatchoutView::setSpecAugmentOptions(const AugmentOptions& o, const QString& source) {
    m_specSource = source;
    for (auto [box, value] : {std::pair{m_timeMasks, o.time_masks}, std::pair{m_timeMaskFrames, o.time_mask_frames},
                              std::pair{m_freqMasks, o.freq_masks}, std::pair{m_freqMaskBins, o.freq_mask_bins}}) {
        const QSignalBlocker block(box);
        box->setValue(value);
    }
    requestSpecAugment();
}

AugmentOptions PatchoutView::specAugmentOptions() const {
    AugmentOptions a;
    a.time_masks = m_timeMasks->value();
    a.time_mask_frames = m_timeMaskFrames->value();
    a.freq_masks = m_freqMasks->value();
    a.freq_mask_bins = m_freqMaskBins->value();
    return a;
}

void PatchoutView::requestSpecAugment() {
    if (m_grid.freq_patches > 0)
        Q_EMIT specAugmentRequested(specAugmentOptions(), m_grid.bins, m_grid.input_frames, seed());
}

void PatchoutView::setSpecAugmentMasks(const SpecAugmentMasks& masks) {
    m_specMasks = masks;
    m_specCanvas->setContent(m_features, m_grid, {}, m_colours);
    m_specCanvas->setSpecAugmentMasks(masks);
    describeSpecAugment();
}

void PatchoutView::describeSpecAugment() {
    const AugmentOptions a = specAugmentOptions();
    const int patches = m_grid.freq_patches * m_grid.time_patches;
    QString text = tr("<b>SpecAugment</b>%1: %2 time mask(s) up to %3 frames, %4 frequency mask(s) up to %5 bins")
                       .arg(m_specSource.isEmpty() ? QString() : tr(" (%1)").arg(m_specSource.toHtmlEscaped()))
                       .arg(a.time_masks)
                       .arg(a.time_mask_frames)
                       .arg(a.freq_masks)
                       .arg(a.freq_mask_bins);
    if (patches > 0) {
        // A patch is all zeros when every one of its frames, or every one of its bins, is masked.
        const auto frames = SpecAugmentMasks::covered(m_specMasks.time, m_grid.input_frames);
        const auto bins = SpecAugmentMasks::covered(m_specMasks.freq, m_grid.bins);
        const auto all = [](const std::vector<bool>& hit, int from, int to) {
            for (int i = from; i < to; ++i)
                if (i >= static_cast<int>(hit.size()) || !hit[static_cast<std::size_t>(i)])
                    return false;
            return true;
        };
        int zeroPatches = 0;
        for (int f = 0; f < m_grid.freq_patches; ++f)
            for (int t = 0; t < m_grid.time_patches; ++t)
                zeroPatches += all(frames, t * m_grid.stride_t, t * m_grid.stride_t + m_grid.patch_size) ||
                               all(bins, f * m_grid.stride_f, f * m_grid.stride_f + m_grid.patch_size);
        int tokens = patches;
        try {
            tokens = forwardCost(m_model, m_grid.input_frames).tokens;
        } catch (const Error&) {  // a grid the preset cannot take: the patches alone
        }
        text += tr("<br>this draw zeroes %1% of the block, yet all %2 patches stay tokens (%3 in the blocks): "
                   "attention costs 100% of the full grid, and %4 patch(es) of zeros are computed anyway")
                    .arg(100.0 * m_specMasks.hiddenShare(m_grid.bins, m_grid.input_frames), 0, 'f', 1)
                    .arg(patches)
                    .arg(tokens)
                    .arg(zeroPatches);
    }
    m_specSummary->setText(text);
}

QString PatchoutView::specAugmentSummary() const { return m_specSummary->text(); }

void PatchoutView::request() {
    if (m_grid.freq_patches > 0)
        Q_EMIT maskRequested(options(), m_grid, seed());
}

void PatchoutView::setMask(const PatchoutMask& mask, const QString& error) {
    m_mask = mask;
    m_canvas->setContent(m_features, m_grid, m_mask, m_colours);
    const int total = m_grid.freq_patches * m_grid.time_patches;
    QString text;
    if (!m_source.isEmpty())
        text += QStringLiteral("<b>%1</b> &mdash; ").arg(m_source.toHtmlEscaped());
    text += tr("%1: %2 x %3 = %4 patches of %5 x %5 over %6 frames")
                .arg(preset())
                .arg(m_grid.freq_patches)
                .arg(m_grid.time_patches)
                .arg(total)
                .arg(m_grid.patch_size)
                .arg(m_grid.input_frames);
    if (!error.isEmpty()) {
        text += QStringLiteral("<br><span style='color:#c0392b'>%1</span>").arg(error.toHtmlEscaped());
    } else if (mask.masks() > 0 && total > 0) {
        const int kept = mask.keptCount(0);
        const double share = static_cast<double>(kept) / total;
        // forwardCost counts the model's own tokens (class tokens included) for both.
        ForwardCost full, left;
        try {
            full = forwardCost(m_model, m_grid.input_frames);
            left = forwardCost(m_model, m_grid.input_frames, kept);
        } catch (const Error&) {  // a grid the preset cannot take: no cost to show
        }
        if (full.macs() > 0 && full.attention_scores > 0) {
            text += tr("<br><b>Patchout</b>: kept %1 patches (%2%), %3 tokens in the blocks instead of %4: attention "
                       "costs %5% of the full grid's (it grows with the square of the tokens), the whole forward %6%")
                        .arg(kept)
                        .arg(100.0 * share, 0, 'f', 1)
                        .arg(left.tokens)
                        .arg(full.tokens)
                        .arg(100.0 * left.attention_scores / full.attention_scores, 0, 'f', 1)
                        .arg(100.0 * left.macs() / full.macs(), 0, 'f', 1);
        }
    }
    m_summary->setText(text);
}

QString PatchoutView::summary() const { return m_summary->text(); }

void PatchoutView::setModelName(const QString& name) {
    m_modelName = name;
    m_measure->setEnabled(!name.isEmpty());
    m_compare->setEnabled(!name.isEmpty());
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_scoreSeries, m_sameTopSeries, m_shownSeries, m_compareScore,
                                                          m_compareSameTop})
        s->clear();
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_compareScore, m_compareSameTop})
        for (QLegendMarker* marker : m_robustnessView->chart()->legend()->markers(s))
            marker->setVisible(false);  // until a second model is measured
    m_robustnessText->setText(
        name.isEmpty() ? tr("Load a model (Listen > Load model…, or open a run) and open a file to measure what "
                            "leaving patches out does to its answer on this clip.")
                       : tr("Measure what leaving patches out does to %1's answer on this clip: patchout training "
                            "teaches a model to answer from a part of the patches.")
                             .arg(name.toHtmlEscaped()));
}

void PatchoutView::setRobustness(const PatchoutRobustness& r) {
    m_measure->setEnabled(!m_modelName.isEmpty());
    drawRobustness(r, m_scoreSeries, m_sameTopSeries);
    m_shownSeries->clear();
    m_compareScore->clear();  // a second model's measurement follows, if any
    m_compareSameTop->clear();
    const QString label = QString::fromStdString(r.label).toHtmlEscaped();
    QString text = tr("%1, %2–%3 s: with every patch <b>%4</b> scores %5.")
                       .arg(m_modelName.toHtmlEscaped())
                       .arg(r.start_s, 0, 'f', 2)
                       .arg(r.end_s, 0, 'f', 2)
                       .arg(label)
                       .arg(r.full_score, 0, 'f', 3);
    const auto half = halfPatches(r);
    if (half != r.points.end())
        text += tr("<br>%1 of %2 patches kept: it stays on top under %3% of the masks, score %4 (%5–%6).")
                    .arg(half->kept_patches)
                    .arg(r.patches)
                    .arg(100 * half->same_top_share, 0, 'f', 0)
                    .arg(half->mean_score, 0, 'f', 3)
                    .arg(half->min_score, 0, 'f', 3)
                    .arg(half->max_score, 0, 'f', 3);
    if (r.shown_scored) {
        m_shownSeries->append(r.patches > 0 ? static_cast<double>(r.shown_kept) / r.patches : 0, r.shown_score);
        text += tr("<br>The shown mask (%1 kept): the answer is <b>%2</b>; %3 scores %4.")
                    .arg(r.shown_kept)
                    .arg(QString::fromStdString(r.shown_label).toHtmlEscaped())
                    .arg(label)
                    .arg(r.shown_score, 0, 'f', 3);
    } else {
        text += tr("<br>The shown mask is for another grid than the model's: choose the model's preset to score it.");
    }
    m_primaryText = text;
    m_robustnessText->setText(text);
    m_robustnessView->chart()->setTitle(tr("%1 with patches left out").arg(label));
}

void PatchoutView::setComparisonRobustness(const PatchoutRobustness& r, const QString& modelName) {
    drawRobustness(r, m_compareScore, m_compareSameTop);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_compareScore, m_compareSameTop})
        for (QLegendMarker* marker : m_robustnessView->chart()->legend()->markers(s))
            marker->setVisible(true);
    m_compareScore->setName(tr("score: %1").arg(modelName));
    m_compareSameTop->setName(tr("on top: %1").arg(modelName));
    for (auto [series, like] : {std::pair{m_compareScore, m_scoreSeries}, std::pair{m_compareSameTop, m_sameTopSeries}}) {
        QPen pen = series->pen();
        pen.setColor(like->color());
        pen.setStyle(Qt::DashLine);
        series->setPen(pen);
    }
    const auto half = halfPatches(r);
    QString text = m_primaryText + tr("<br>Beside it, %1 answers <b>%2</b> (%3) with every patch")
                                       .arg(modelName.toHtmlEscaped(),
                                            QString::fromStdString(r.label).toHtmlEscaped())
                                       .arg(r.full_score, 0, 'f', 3);
    if (half != r.points.end())
        text += tr("; with %1 kept it stays on top under %2% of the masks, score %3.")
                    .arg(half->kept_patches)
                    .arg(100 * half->same_top_share, 0, 'f', 0)
                    .arg(half->mean_score, 0, 'f', 3);
    m_robustnessText->setText(text);
}

void PatchoutView::setRobustnessError(const QString& message) {
    m_measure->setEnabled(!m_modelName.isEmpty());
    m_robustnessText->setText(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
}

QString PatchoutView::robustnessText() const { return m_robustnessText->text(); }

}  // namespace patchout::ui
