#include "patchout/ui/model_view.h"

#include "view_parts.h"

#include "patchout/error.h"
#include "patchout/system_info.h"
#include "patchout/ui/colour_map.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QHBoxLayout>
#include <QPainter>
#include <QProgressBar>
#include <QSlider>
#include <QSpinBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace patchout::ui {
namespace {

QTableWidget* makeTable(const QStringList& headers, QWidget* parent) {
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->setVisible(false);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    return table;
}

void addRow(QTableWidget* table, const QStringList& cells, bool numbersRight = true) {
    const int row = table->rowCount();
    table->insertRow(row);
    for (int c = 0; c < cells.size(); ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        if (numbersRight && c > 0)
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table->setItem(row, c, item);
    }
}

// Blocks x heads, each cell coloured by the head's importance (viridis, 0 to the largest); heads
// the prune slider drops are darkened and crossed out.
class HeadMapWidget : public QWidget {
public:
    explicit HeadMapWidget(QWidget* parent) : QWidget(parent) {
        setMinimumSize(220, 120);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }
    void setData(const HeadScores& importance, const HeadSelection& keep) {
        m_importance = importance;
        m_keep = keep;
        update();
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.fillRect(rect(), palette().window());
        if (m_importance.empty()) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(rect(), Qt::AlignCenter, ModelView::tr("No head importance yet"));
            return;
        }
        std::size_t heads = 0;
        double top = 0;
        for (const auto& row : m_importance) {
            heads = std::max(heads, row.size());
            for (double v : row)
                top = std::max(top, v);
        }
        const int left = fontMetrics().horizontalAdvance(ModelView::tr("block %1").arg(m_importance.size())) + 8;
        const int header = fontMetrics().height() + 4;
        const double w = (width() - left - 2) / static_cast<double>(heads);
        const double h = (height() - header - 2) / static_cast<double>(m_importance.size());
        p.setPen(palette().color(QPalette::WindowText));
        for (std::size_t c = 0; c < heads; ++c)
            p.drawText(QRectF(left + c * w, 0, w, header), Qt::AlignCenter, ModelView::tr("head %1").arg(c));
        for (std::size_t b = 0; b < m_importance.size(); ++b) {
            const double y = header + b * h;
            p.setPen(palette().color(QPalette::WindowText));
            p.drawText(QRectF(0, y, left - 4, h), Qt::AlignRight | Qt::AlignVCenter, ModelView::tr("block %1").arg(b));
            for (std::size_t c = 0; c < m_importance[b].size(); ++c) {
                const QRectF cell(left + c * w + 1, y + 1, w - 2, h - 2);
                const double t = top > 0 ? m_importance[b][c] / top : 0;
                QColor colour = colourAt(ColourMap::Viridis, t);
                // Blocks past the selection are dropped (prune --keep_blocks).
                const bool kept = m_keep.empty() || (b < m_keep.size() && (m_keep[b].empty() || m_keep[b][c]));
                if (!kept)
                    colour = colour.darker(300);
                p.fillRect(cell, colour);
                p.setPen(t > 0.6 && kept ? Qt::black : Qt::white);
                if (cell.width() > 30 && cell.height() > 14)
                    p.drawText(cell, Qt::AlignCenter, QString::number(m_importance[b][c], 'f', 2));
                if (!kept) {
                    p.setPen(QPen(QColor(220, 60, 60), 2));
                    p.drawLine(cell.topLeft(), cell.bottomRight());
                    p.drawLine(cell.topRight(), cell.bottomLeft());
                }
            }
        }
    }

private:
    HeadScores m_importance;
    HeadSelection m_keep;
};

QString percent(double part, double whole) {
    return whole > 0 ? QStringLiteral("%1 %").arg(100.0 * part / whole, 0, 'f', 1) : QStringLiteral("–");
}

}  // namespace

QString shortCount(double value) {
    const double a = std::abs(value);
    if (a >= 1e12)
        return QStringLiteral("%1 T").arg(value / 1e12, 0, 'f', 2);
    if (a >= 1e9)
        return QStringLiteral("%1 G").arg(value / 1e9, 0, 'f', 2);
    if (a >= 1e6)
        return QStringLiteral("%1 M").arg(value / 1e6, 0, 'f', 1);
    if (a >= 1e3)
        return QStringLiteral("%1 k").arg(value / 1e3, 0, 'f', 1);
    return QString::number(value, 'f', 0);
}

ModelView::ModelView(QWidget* parent) : QWidget(parent) {
    qRegisterMetaType<ModelCard>();
    qRegisterMetaType<SpeedResult>();
    qRegisterMetaType<ModelProfile>();
    qRegisterMetaType<HeadScores>();
    m_summary = detail::summaryLabel(this);
    m_architecture = makeTable({tr("Property"), tr("Value")}, this);
    m_architecture->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_cost = makeTable({tr("Part"), tr("All patches"), tr("Share"), tr("With patchout"), tr("Share")}, this);
    m_cost->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_cost->setToolTip(tr("Multiply-accumulates of one window, counted from the weight shapes; "
                          "\"With patchout\": the same window with the model's training patchout"));
    m_measure = new QPushButton(tr("Measure speed"), this);
    m_measure->setToolTip(tr("Time forward passes of one window on this machine (about two seconds)"));
    m_speed = new QLabel(tr("Not measured yet."), this);
    m_speed->setWordWrap(true);
    m_speed->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* costBox = new QGroupBox(tr("Cost of one window"), this);
    auto* costLayout = new QGridLayout(costBox);
    costLayout->addWidget(m_cost, 0, 0, 1, 2);
    costLayout->addWidget(m_measure, 1, 0);
    costLayout->addWidget(m_speed, 1, 1);
    costLayout->setColumnStretch(1, 1);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_architecture, 3);
    leftLayout->addWidget(costBox, 2);

    m_parameters = makeTable({tr("Parameter"), tr("Shape"), tr("Count")}, this);
    m_parameters->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_parameters->setSortingEnabled(true);
    m_parameters->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_classes = new QListWidget(this);
    m_metadata = makeTable({tr("Key"), tr("Value")}, this);
    m_metadata->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_profileButton = new QPushButton(tr("Profile"), this);
    m_profileButton->setToolTip(tr("Time every part of the model (forward, and forward + backward) on one window "
                                   "of this machine, and count its activation memory (a few seconds)"));
    m_profileText = new QLabel(tr("Where the time goes: not profiled yet."), this);
    m_profileText->setWordWrap(true);
    m_profileText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_profile = makeTable({tr("Part"), tr("Params"), tr("MACs"), tr("Forward"), tr("Share"), tr("Fwd + bwd"),
                           tr("Memory")},
                          this);
    m_profile->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_profile->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
    m_profile->horizontalHeader()->setStretchLastSection(false);
    m_profile->horizontalHeader()->setMinimumSectionSize(40);
    m_profile->setToolTip(tr("Per kind of part, summed over the blocks: parameters, multiply-accumulates, the "
                             "measured time of the forward pass (median) with its share, forward + backward, "
                             "and the activations a training step keeps for backward"));
    auto* profilePage = new QWidget(this);
    auto* profileLayout = new QGridLayout(profilePage);
    profileLayout->addWidget(m_profileButton, 0, 0, Qt::AlignTop);
    profileLayout->addWidget(m_profileText, 0, 1);
    profileLayout->addWidget(m_profile, 1, 0, 1, 2);
    profileLayout->setColumnStretch(1, 1);
    m_importanceButton = new QPushButton(tr("Measure importance"), this);
    m_importanceButton->setToolTip(tr("How much the loss on the training clips of the model's run depends on each "
                                      "attention head (the gradient of a gate on its output, Michel et al. 2019)"));
    m_importanceText = new QLabel(tr("Head importance: not measured yet."), this);
    m_importanceText->setWordWrap(true);
    m_headMap = new HeadMapWidget(this);
    m_keep = new QSlider(Qt::Horizontal, this);
    m_keep->setRange(1, 20);  // in steps of 5%
    m_keep->setValue(10);
    m_keep->setToolTip(tr("Share of the heads to keep; the least important go first, every block keeps one"));
    m_keepLabel = new QLabel(this);
    m_keepBlocks = new QSpinBox(this);
    m_keepBlocks->setRange(1, 1);
    m_keepBlocks->setToolTip(tr("Blocks to keep, the first ones: the top blocks are dropped before any head "
                                "(their time goes with them; the blocks left keep the fused kernel)"));
    m_prediction = new QLabel(this);
    m_prediction->setWordWrap(true);
    m_prediction->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pruneButton = new QPushButton(tr("Prune and fine-tune…"), this);
    m_pruneButton->setToolTip(tr("Drop the top blocks, prune to this share of the heads and fine-tune on the model's "
                                 "run as a new run (`patchout prune`); the Train view follows it"));
    m_sharing = new QComboBox(this);
    m_sharing->addItem(tr("all weights"), QStringLiteral("all"));
    m_sharing->addItem(tr("the attention"), QStringLiteral("attention"));
    m_sharing->addItem(tr("the MLP"), QStringLiteral("mlp"));
    m_sharing->setToolTip(tr("Pairs of consecutive blocks use one set of these weights (ALBERT); each shared "
                             "tensor starts as the mean of the pair's"));
    m_sharingText = new QLabel(this);
    m_sharingText->setWordWrap(true);
    m_shareButton = new QPushButton(tr("Share and fine-tune…"), this);
    m_shareButton->setToolTip(tr("Fine-tune the model with pairs of blocks sharing these weights, on the model's "
                                 "run, as a new run the Train view follows"));
    m_compare = new QTableWidget(0, 4, this);
    m_compare->setHorizontalHeaderLabels({tr("Before and after"), tr("Before"), tr("After"), tr("Change")});
    m_compare->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_compare->horizontalHeader()->setStretchLastSection(true);
    m_compare->verticalHeader()->setVisible(false);
    m_compare->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_compare->setVisible(false);
    auto* optimisePage = new QWidget(this);
    auto* optimiseLayout = new QGridLayout(optimisePage);
    optimiseLayout->addWidget(m_importanceButton, 0, 0, Qt::AlignTop);
    optimiseLayout->addWidget(m_importanceText, 0, 1, 1, 2);
    optimiseLayout->addWidget(m_headMap, 1, 0, 1, 3);
    optimiseLayout->addWidget(new QLabel(tr("Keep blocks:"), this), 2, 0);
    optimiseLayout->addWidget(m_keepBlocks, 2, 1, Qt::AlignLeft);
    optimiseLayout->addWidget(new QLabel(tr("Keep heads:"), this), 3, 0);
    optimiseLayout->addWidget(m_keep, 3, 1);
    optimiseLayout->addWidget(m_keepLabel, 3, 2);
    optimiseLayout->addWidget(m_prediction, 4, 0, 1, 3);
    optimiseLayout->addWidget(m_pruneButton, 5, 0);
    optimiseLayout->addWidget(new QLabel(tr("Share between blocks:"), this), 6, 0);
    optimiseLayout->addWidget(m_sharing, 6, 1);
    optimiseLayout->addWidget(m_sharingText, 7, 0, 1, 3);
    optimiseLayout->addWidget(m_shareButton, 8, 0);
    optimiseLayout->addWidget(m_compare, 9, 0, 1, 3);
    optimiseLayout->setRowStretch(1, 1);
    optimiseLayout->setColumnStretch(1, 1);
    m_tabs = new QTabWidget(this);
    auto* tabs = m_tabs;
    tabs->addTab(m_parameters, tr("Parameters"));
    tabs->addTab(profilePage, tr("Profile"));
    tabs->addTab(optimisePage, tr("Optimise"));
    tabs->addTab(m_classes, tr("Classes"));
    tabs->addTab(m_metadata, tr("Metadata"));

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(tabs);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    m_pages = detail::emptyOrContent(
        tr("No model loaded.\nOpen a run folder (Ctrl+Shift+O) or load a model (Listen > Load model)."), splitter, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_pages, 1);
    connect(m_measure, &QPushButton::clicked, this, [this] {
        m_measure->setEnabled(false);
        m_speed->setText(tr("Measuring…"));
        Q_EMIT speedRequested();
    });
    connect(m_importanceButton, &QPushButton::clicked, this, [this] {
        m_importanceButton->setEnabled(false);
        m_importanceText->setText(tr("Measuring the heads' importance…"));
        Q_EMIT importanceRequested();
    });
    connect(m_keep, &QSlider::valueChanged, this, &ModelView::updatePrediction);
    connect(m_keepBlocks, &QSpinBox::valueChanged, this, &ModelView::updatePrediction);
    connect(m_pruneButton, &QPushButton::clicked, this, [this] { Q_EMIT pruneRequested(keepShare(), keepBlocks()); });
    connect(m_sharing, &QComboBox::currentIndexChanged, this, &ModelView::updateSharing);
    connect(m_shareButton, &QPushButton::clicked, this,
            [this] { Q_EMIT shareRequested(m_sharing->currentData().toString()); });
    connect(m_profileButton, &QPushButton::clicked, this, [this] {
        m_profileButton->setEnabled(false);
        m_profileText->setText(tr("Profiling…"));
        Q_EMIT profileRequested();
    });
    clear();
}

void ModelView::clear() {
    m_hasModel = false;
    m_compare->setRowCount(0);
    m_compare->setVisible(false);
    m_summary->clear();
    m_architecture->setRowCount(0);
    m_cost->setRowCount(0);
    m_parameters->setRowCount(0);
    m_classes->clear();
    m_metadata->setRowCount(0);
    m_speed->setText(tr("Not measured yet."));
    m_measure->setEnabled(false);
    m_profile->setRowCount(0);
    m_profileText->setText(tr("Where the time goes: not profiled yet."));
    m_profileButton->setEnabled(false);
    m_importance.clear();
    m_lastProfile.reset();
    m_importanceButton->setEnabled(false);
    m_importanceText->setText(tr("Head importance: not measured yet."));
    updatePrediction();
    m_card = {};
    updateSharing();
    m_pages->setCurrentIndex(0);
}

void ModelView::setModel(const ModelCard& card) {
    clear();
    m_hasModel = true;
    const PaSSTOptions& o = card.options;
    const int freq = o.freqPatches();
    const int time = std::min(o.timePatches(o.input_frames), o.timePositions());
    const double seconds = o.input_frames / card.frame_rate;
    m_summary->setText(tr("<b>%1</b>: %2 parameters (%3 MB), %4 classes, %5; one %6 s window costs %7 FLOPs")
                           .arg(QFileInfo(card.path).fileName().toHtmlEscaped(), shortCount(static_cast<double>(card.parameter_count)))
                           .arg(static_cast<double>(card.parameter_count) * 4 / 1e6, 0, 'f', 1)
                           .arg(o.num_classes)
                           .arg(card.activation == QLatin1String("softmax") ? tr("single-label (softmax)")
                                                                             : tr("multi-label (sigmoid)"))
                           .arg(seconds, 0, 'g', 3)
                           .arg(shortCount(card.cost.flops())));

    const PatchoutOptions& p = o.patchout;
    const QString patchout =
        p.active() ? tr("%1 time columns, %2 frequency rows, %3 single patches%4")
                         .arg(p.s_patchout_t)
                         .arg(p.s_patchout_f)
                         .arg(p.u_patchout)
                         .arg(p.per_sample ? tr(", per example") : QString())
                   : tr("none");
    const QList<QStringList> rows = {
        {tr("File"), card.path},
        {tr("Input"), tr("%1 mel bins x %2 frames (%3 s)").arg(o.n_mels).arg(o.input_frames).arg(seconds, 0, 'g', 3)},
        {tr("Patches"), tr("%1 x %1, stride %2 (frequency) x %3 (time)").arg(o.patch_size).arg(o.stride_f).arg(o.stride_t)},
        {tr("Patch grid"), tr("%1 frequency x %2 time = %3 patches").arg(freq).arg(time).arg(card.cost.patches)},
        {tr("Width"), QString::number(o.embed_dim)},
        {tr("Blocks"), QString::number(o.depth)},
        {tr("Heads"), tr("%1 (%2 dimensions each)").arg(o.num_heads).arg(o.embed_dim / std::max(1, o.num_heads))},
        {tr("MLP hidden"), QString::number(o.mlpHidden())},
        {tr("Tokens"), tr("%1 (patches + %2)").arg(card.cost.tokens).arg(o.distilled ? tr("class and distillation token") : tr("class token"))},
        {tr("Positional encoding"), QString::fromStdString(positionalEncodingName(o.positional_encoding))},
        {tr("Head reads"), o.head_pooling == HeadPooling::Tokens ? tr("the class token(s)") : tr("the mean of the patch tokens")},
        {tr("Training patchout"), patchout},
        {tr("Tokens while training"), QString::number(card.training_cost.tokens)},
    };
    for (const QStringList& row : rows)
        addRow(m_architecture, row, false);
    if (const auto& live = card.live_precision) {
        QString text;
        if (live->fp32_ms > 0 && live->bf16_ms > 0)
            text = (live->bf16 ? tr("bf16 autocast: %1 ms per window, fp32 %2 ms")
                               : tr("fp32: %1 ms per window, bf16 autocast %2 ms"))
                       .arg(live->bf16 ? live->bf16_ms : live->fp32_ms, 0, 'f', 1)
                       .arg(live->bf16 ? live->fp32_ms : live->bf16_ms, 0, 'f', 1);
        else
            text = live->bf16 ? tr("bf16 autocast") : tr("fp32");
        addRow(m_architecture, {tr("Live classification"), text}, false);
    }

    const ForwardCost& a = card.cost;
    const ForwardCost& t = card.training_cost;
    const QList<std::tuple<QString, double, double>> parts = {
        {tr("Patch embedding"), a.patch_embed, t.patch_embed},
        {tr("Attention projections"), a.attention_proj, t.attention_proj},
        {tr("Attention scores"), a.attention_scores, t.attention_scores},
        {tr("MLP"), a.mlp, t.mlp},
        {tr("Head"), a.head, t.head},
        {tr("Total (MACs)"), a.macs(), t.macs()},
    };
    for (const auto& [name, all, train] : parts)
        addRow(m_cost, {name, shortCount(all), percent(all, a.macs()), shortCount(train), percent(train, t.macs())});
    addRow(m_cost, {tr("FLOPs per second of audio"), shortCount(a.flops() / seconds), QString(),
                    shortCount(t.flops() / seconds), QString()});

    m_parameters->setSortingEnabled(false);
    for (const TensorInfo& info : card.parameters) {
        const int row = m_parameters->rowCount();
        m_parameters->insertRow(row);
        m_parameters->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(info.name)));
        m_parameters->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(info.shapeText())));
        m_parameters->setItem(row, 2, new detail::NumberItem(static_cast<double>(info.numel()),
                                                              QLocale().toString(static_cast<qlonglong>(info.numel()))));
    }
    // State-dict order until the user sorts by a column.
    m_parameters->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_parameters->setSortingEnabled(true);
    for (int c = 0; c < o.num_classes; ++c)
        m_classes->addItem(QStringLiteral("%1  %2").arg(c, 3).arg(c < card.labels.size() ? card.labels[c] : tr("class %1").arg(c)));
    for (const auto& [key, value] : card.metadata)
        addRow(m_metadata, {key, value}, false);
    m_measure->setEnabled(true);
    m_profileButton->setEnabled(true);
    m_card = card;
    m_importanceButton->setEnabled(true);
    // Importance measured before and stored with the model (heads.h) is shown at once.
    for (const auto& [key, value] : card.metadata)
        if (key == QLatin1String(kHeadImportanceKey)) {
            try {
                m_importance = headScoresFromJson(value.toStdString());
                m_importanceText->setText(tr("Importance of each head, stored with the model when it was measured on "
                                             "the training clips of its run; measure again to refresh it."));
            } catch (const Error&) {
                m_importance.clear();
            }
        }
    {
        const QSignalBlocker block(m_keepBlocks);
        m_keepBlocks->setRange(1, o.depth);
        m_keepBlocks->setValue(o.depth);
    }
    updatePrediction();
    updateSharing();
    m_pages->setCurrentIndex(1);
}

void ModelView::setSpeed(const SpeedResult& r) {
    m_measure->setEnabled(m_hasModel);
    m_speed->setText(tr("%1 ms per %2 s window (median of %3, 90% under %4 ms, features included): "
                        "%5x real time on %6; %7 LibTorch thread(s), %8")
                         .arg(r.median_ms, 0, 'f', 1)
                         .arg(r.window_s, 0, 'g', 3)
                         .arg(r.runs)
                         .arg(r.p90_ms, 0, 'f', 1)
                         .arg(r.median_ms > 0 ? r.window_s * 1000 / r.median_ms : 0, 0, 'f', 0)
                         .arg(r.device.isEmpty() ? tr("the CPU") : r.device)
                         .arg(r.threads)
                         .arg(r.blas));
}

void ModelView::setSpeedFailed(const QString& message) {
    m_measure->setEnabled(m_hasModel);
    m_speed->setText(message);
}

void ModelView::setProfile(const ModelProfile& p) {
    m_profileButton->setEnabled(m_hasModel);
    m_lastProfile = p;
    updatePrediction();
    m_profile->setRowCount(0);
    auto mib = [](std::int64_t bytes) { return QStringLiteral("%1 MiB").arg(static_cast<double>(bytes) / (1 << 20), 0, 'f', 2); };
    auto ms = [](double v) { return QStringLiteral("%1 ms").arg(v, 0, 'f', v < 10 ? 2 : 1); };
    const double total = p.partsForwardMs();
    auto row = [&](const QString& name, const PartProfile& part, bool bar) {
        addRow(m_profile, {name, QLocale().toString(static_cast<qlonglong>(part.parameters)), shortCount(part.macs),
                           ms(part.forward_ms), QString(),
                           part.forward_backward_ms > 0 ? ms(part.forward_backward_ms) : QStringLiteral("–"),
                           mib(part.activation_bytes)});
        if (!bar)
            return;
        auto* share = new QProgressBar(m_profile);
        share->setRange(0, 1000);
        share->setValue(total > 0 ? static_cast<int>(std::lround(1000 * part.forward_ms / total)) : 0);
        share->setFormat(percent(part.forward_ms, total));
        share->setTextVisible(true);
        m_profile->setCellWidget(m_profile->rowCount() - 1, 4, share);
    };
    const QMap<QString, QString> names = {{QString::fromLatin1(kPartPatchEmbedding), tr("Patch embedding")},
                                          {QString::fromLatin1(kPartNorms), tr("LayerNorms")},
                                          {QString::fromLatin1(kPartAttentionProjections), tr("Attention proj.")},
                                          {QString::fromLatin1(kPartAttentionScores), tr("Attention scores")},
                                          {QString::fromLatin1(kPartMlp), tr("MLP")},
                                          {QString::fromLatin1(kPartHead), tr("Head")}};
    for (const PartProfile& kind : p.byKind())
        row(names.value(QString::fromStdString(kind.kind), QString::fromStdString(kind.kind)), kind, true);
    PartProfile sum;
    sum.parameters = p.parameters();
    sum.macs = p.macs();
    sum.forward_ms = total;
    sum.forward_backward_ms = p.partsForwardBackwardMs();
    sum.activation_bytes = p.activationBytes();
    row(tr("Sum"), sum, false);
    const ThreadOptions threads = currentThreads();
    QString text = tr("One window of %1 frames, %2 tokens, batch %3, %4, median of %5 runs on %6 LibTorch and %7 "
                      "BLAS thread(s): the whole model takes %8 forward (%9 as inference runs it, fused)")
                       .arg(p.frames)
                       .arg(p.tokens)
                       .arg(p.options.batch)
                       .arg(p.options.bf16 ? tr("bf16") : tr("fp32"))
                       .arg(p.options.repeats)
                       .arg(threads.torch_threads)
                       .arg(threads.blas_threads)
                       .arg(ms(p.forward_ms), ms(p.inference_ms));
    if (p.forward_backward_ms > 0)
        text += tr(", %1 forward + backward").arg(ms(p.forward_backward_ms));
    if (p.measured_activation_bytes > 0)
        text += tr("; a training forward holds %1 of activations (measured; %2 counted from the shapes)")
                    .arg(mib(p.measured_activation_bytes), mib(p.activationBytes()));
    m_profileText->setText(text + QLatin1Char('.'));
}

void ModelView::setProfileFailed(const QString& message) {
    m_profileButton->setEnabled(m_hasModel);
    m_profileText->setText(message);
}

QString ModelView::profileText() const { return m_profileText->text(); }

void ModelView::showProfile() { m_tabs->setCurrentIndex(1); }

void ModelView::setImportance(const HeadScores& importance) {
    m_importanceButton->setEnabled(m_hasModel);
    m_importance = importance;
    m_importanceText->setText(tr("Importance of each head on the training clips of the model's run: the loss's "
                                 "sensitivity to switching it off, each block scaled to unit length."));
    updatePrediction();
}

void ModelView::setImportanceFailed(const QString& message) {
    m_importanceButton->setEnabled(m_hasModel);
    m_importanceText->setText(message);
}

double ModelView::keepShare() const { return m_keep->value() / 20.0; }
void ModelView::setKeepShare(double share) { m_keep->setValue(static_cast<int>(std::lround(share * 20))); }
QString ModelView::predictionText() const { return m_prediction->text(); }
QString ModelView::importanceText() const { return m_importanceText->text(); }
void ModelView::showOptimise() { m_tabs->setCurrentIndex(2); }

int ModelView::keepBlocks() const { return m_keepBlocks->value(); }
void ModelView::setKeepBlocks(int blocks) { m_keepBlocks->setValue(blocks); }

HeadSelection ModelView::keptHeads() const {
    const auto blocks = static_cast<std::size_t>(keepBlocks());
    if (m_importance.empty()) {
        if (!m_hasModel || keepShare() < 1)
            return {};
        HeadSelection all = allHeads(m_card.options);
        all.resize(std::min(all.size(), blocks));
        return all;
    }
    HeadScores kept(m_importance.begin(), m_importance.begin() + static_cast<std::ptrdiff_t>(std::min(blocks, m_importance.size())));
    return headsToKeep(kept, keepShare());
}

void ModelView::updatePrediction() {
    const HeadSelection keep = keptHeads();
    static_cast<HeadMapWidget*>(m_headMap)->setData(m_importance, keep);
    const PaSSTOptions& o = m_card.options;
    const int blocks = keepBlocks();
    int before = 0, after = 0;
    for (int b = 0; m_hasModel && b < o.depth; ++b)
        before += o.headsOf(b);
    for (const auto& row : keep)
        after += static_cast<int>(std::count(row.begin(), row.end(), true));
    m_keepLabel->setText(keep.empty() ? tr("%1%").arg(100 * keepShare(), 0, 'f', 0)
                                      : tr("%1% (%2 of %3 heads)").arg(100 * keepShare(), 0, 'f', 0).arg(after).arg(before));
    const bool shared = o.sharing == ParameterSharing::All || o.sharing == ParameterSharing::Attention;
    const bool dropsBlocks = m_hasModel && blocks < o.depth;
    const bool prunesHeads = keepShare() < 1;
    m_pruneButton->setEnabled(m_hasModel && !keep.empty() && after < before && !(shared && prunesHeads));
    if (!m_hasModel || keep.empty()) {
        m_prediction->setText(tr("Measure the importance to see what pruning would leave."));
        return;
    }
    if (shared && prunesHeads) {
        m_prediction->setText(tr("The blocks share their attention: heads cannot be pruned block by block (keep "
                                 "100% of the heads to drop blocks only)."));
        return;
    }
    // What the smaller model would have: the counts from the shapes (the dropped blocks' tensors by
    // name: a block that shares its leader's weights holds none), the time from the profile.
    std::int64_t dropped = 0;
    for (const TensorInfo& t : m_card.parameters) {
        const QString name = QString::fromStdString(t.name);
        if (name.startsWith(QLatin1String("blocks.")) && name.section(QLatin1Char('.'), 1, 1).toInt() >= blocks)
            dropped += t.numel();
    }
    PaSSTOptions smaller = o;
    smaller.depth = blocks;
    smaller.block_heads.clear();
    for (const auto& row : keep)
        smaller.block_heads.push_back(static_cast<int>(std::count(row.begin(), row.end(), true)));
    PaSSTOptions kept = o;  // the model after dropping blocks, before pruning heads
    kept.depth = blocks;
    if (!kept.block_heads.empty())
        kept.block_heads.resize(static_cast<std::size_t>(blocks));
    const auto params = static_cast<double>(prunedParameterCount(kept, m_card.parameter_count - dropped, keep));
    const double macs = forwardCost(smaller, o.input_frames).macs();
    auto change = [](double x, double x0) { return x0 > 0 ? 100 * (x - x0) / x0 : 0.0; };
    const QString what = dropsBlocks ? tr("Keeping %1 of %2 blocks and %3 of %4 heads").arg(blocks).arg(o.depth).arg(after).arg(before)
                                     : tr("Keeping %1 of %2 heads").arg(after).arg(before);
    QString text = tr("%1 leaves %2 parameters (%3%) and %4 MACs per window (%5%)")
                       .arg(what)
                       .arg(QLocale().toString(static_cast<qlonglong>(params)))
                       .arg(change(params, static_cast<double>(m_card.parameter_count)), 0, 'f', 1)
                       .arg(shortCount(macs))
                       .arg(change(macs, m_card.cost.macs()), 0, 'f', 1);
    if (m_lastProfile && m_lastProfile->partsForwardMs() > 0) {
        const double ms = predictedLatencyMs(*m_lastProfile, keep, blocks);
        text += tr("; about %1 ms per window (%2%, scaled from the profile)")
                    .arg(ms, 0, 'f', 2)
                    .arg(change(ms, m_lastProfile->inference_ms), 0, 'f', 1);
    } else {
        text += tr("; profile the model for a latency estimate");
    }
    m_prediction->setText(text + QLatin1Char('.'));
}

void ModelView::setComparison(const ModelCard& before) {
    const ModelCard& after = m_card;
    auto heads = [](const PaSSTOptions& o) {
        int n = 0;
        for (int b = 0; b < o.depth; ++b)
            n += o.headsOf(b);
        return n;
    };
    auto change = [](double x, double x0) {
        return x0 > 0 ? QStringLiteral("%1%").arg(100 * (x - x0) / x0, 0, 'f', 1) : QString();
    };
    struct Row {
        QString name;
        double before, after;
        QString shownBefore, shownAfter;
    };
    const QList<Row> rows = {
        {tr("Blocks"), double(before.options.depth), double(after.options.depth), QString::number(before.options.depth),
         QString::number(after.options.depth)},
        {tr("Heads"), double(heads(before.options)), double(heads(after.options)), QString::number(heads(before.options)),
         QString::number(heads(after.options))},
        {tr("Parameters"), double(before.parameter_count), double(after.parameter_count),
         QLocale().toString(static_cast<qlonglong>(before.parameter_count)),
         QLocale().toString(static_cast<qlonglong>(after.parameter_count))},
        {tr("MACs per window"), before.cost.macs(), after.cost.macs(), shortCount(before.cost.macs()),
         shortCount(after.cost.macs())},
    };
    // A run's checkpoint is named by its run folder (RUN/checkpoints/best.safetensors), else by file.
    auto named = [](const QString& path) {
        const QFileInfo file(path);
        return file.dir().dirName() == QLatin1String("checkpoints") ? QFileInfo(file.dir().path()).dir().dirName()
                                                                     : file.fileName();
    };
    m_compare->setRowCount(0);
    addRow(m_compare, {tr("Model"), named(before.path), named(after.path), QString()}, false);
    m_compare->item(0, 1)->setToolTip(before.path);
    m_compare->item(0, 2)->setToolTip(after.path);
    for (const Row& r : rows)
        addRow(m_compare, {r.name, r.shownBefore, r.shownAfter, change(r.after, r.before)});
    addRow(m_compare, {tr("Sharing"), QString::fromStdString(parameterSharingName(before.options.sharing)),
                       QString::fromStdString(parameterSharingName(after.options.sharing)), QString()},
           false);
    m_compare->setVisible(true);
}

QString ModelView::sharingText() const { return m_sharingText->text(); }

void ModelView::updateSharing() {
    const PaSSTOptions& o = m_card.options;
    const bool shares = m_hasModel && o.sharing != ParameterSharing::None;
    m_shareButton->setEnabled(m_hasModel && !shares && o.depth >= 2);
    if (!m_hasModel) {
        m_sharingText->clear();
        return;
    }
    if (shares) {
        m_sharingText->setText(tr("The model already shares %1 in groups of %2 blocks.")
                                   .arg(QString::fromStdString(parameterSharingName(o.sharing)))
                                   .arg(o.sharing_group));
        return;
    }
    // What the second block of each pair would no longer hold, from the parameter names.
    const QString what = m_sharing->currentData().toString();
    std::int64_t saved = 0;
    for (const TensorInfo& t : m_card.parameters) {
        const QString name = QString::fromStdString(t.name);
        if (!name.startsWith(QLatin1String("blocks.")))
            continue;
        const int block = name.section(QLatin1Char('.'), 1, 1).toInt();
        const QString part = name.section(QLatin1Char('.'), 2, 2);
        const bool covered = what == QLatin1String("all") || (what == QLatin1String("attention") && part == QLatin1String("attn")) ||
                             (what == QLatin1String("mlp") && part == QLatin1String("mlp"));
        if (covered && block % 2 == 1)
            saved += t.numel();
    }
    const double before = static_cast<double>(m_card.parameter_count);
    m_sharingText->setText(tr("Sharing %1 in pairs of blocks leaves %2 parameters (%3%); the time per window "
                              "stays, every block still runs.")
                               .arg(m_sharing->currentText())
                               .arg(QLocale().toString(static_cast<qlonglong>(m_card.parameter_count - saved)))
                               .arg(before > 0 ? -100.0 * static_cast<double>(saved) / before : 0.0, 0, 'f', 1));
}

QString ModelView::summary() const { return m_summary->text(); }
QString ModelView::speedText() const { return m_speed->text(); }

}  // namespace patchout::ui
