#include "patchout/ui/patchout_view.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
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

QRect PatchoutCanvas::cellRect(int f, int t) const {
    if (m_image.isNull() || f < 0 || t < 0 || f >= m_grid.freq_patches || t >= m_grid.time_patches)
        return {};
    const QRect plot = plotRect();
    const double sx = static_cast<double>(plot.width()) / m_image.width();
    const double sy = static_cast<double>(plot.height()) / m_image.height();
    // A patch starts every stride; the last row/column reaches the patch's full size.
    const int t0 = t * m_grid.stride_t;
    const int t1 = t + 1 == m_grid.time_patches ? t0 + m_grid.patch_size : t0 + m_grid.stride_t;
    const int f0 = f * m_grid.stride_f;
    const int f1 = f + 1 == m_grid.freq_patches ? f0 + m_grid.patch_size : f0 + m_grid.stride_f;
    const int x0 = plot.left() + static_cast<int>(std::lround(t0 * sx));
    const int x1 = plot.left() + static_cast<int>(std::lround(std::min(t1, m_image.width()) * sx));
    // Bin 0 is at the bottom of the image.
    const int y1 = plot.top() + static_cast<int>(std::lround((m_image.height() - f0) * sy));
    const int y0 = plot.top() + static_cast<int>(std::lround((m_image.height() - std::min(f1, m_image.height())) * sy));
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
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
    const bool haveMask = m_mask.masks() > 0;
    for (int f = 0; f < m_grid.freq_patches; ++f)
        for (int t = 0; t < m_grid.time_patches; ++t)
            if (haveMask && !m_mask.isKept(0, f, t))
                painter.fillRect(cellRect(f, t), QColor(0, 0, 0, 190));
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
    controls->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_summary);
    layout->addWidget(m_canvas, 1);

    for (QSpinBox* s : {m_time, m_freq, m_unstructured, m_seed})
        connect(s, &QSpinBox::valueChanged, this, &PatchoutView::request);
    connect(m_redraw, &QPushButton::clicked, this, [this] { m_seed->setValue(m_seed->value() + 1); });
    connect(m_preset, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (name.isEmpty())
            return;
        const PaSSTOptions model = passtPreset(name.toStdString());
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
    setMask(m_mask);  // refreshes the summary with the source's name
}

void PatchoutView::setColourMapParams(const ColourMapParams& params) {
    m_colours = params;
    m_canvas->setContent(m_features, m_grid, m_mask, m_colours);
}

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
        text += tr("<br>kept %1 patches (%2%): attention costs about %3% of the full grid "
                   "(it grows with the square of the tokens), the rest of each block %2%")
                    .arg(kept)
                    .arg(100.0 * share, 0, 'f', 1)
                    .arg(100.0 * share * share, 0, 'f', 1);
    }
    m_summary->setText(text);
}

QString PatchoutView::summary() const { return m_summary->text(); }

}  // namespace patchout::ui
