#include "patchout/ui/model_view.h"

#include "view_parts.h"

#include "patchout/system_info.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

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
    m_tabs = new QTabWidget(this);
    auto* tabs = m_tabs;
    tabs->addTab(m_parameters, tr("Parameters"));
    tabs->addTab(profilePage, tr("Profile"));
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
    connect(m_profileButton, &QPushButton::clicked, this, [this] {
        m_profileButton->setEnabled(false);
        m_profileText->setText(tr("Profiling…"));
        Q_EMIT profileRequested();
    });
    clear();
}

void ModelView::clear() {
    m_hasModel = false;
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
    m_pages->setCurrentIndex(1);
}

void ModelView::setSpeed(const SpeedResult& r) {
    m_measure->setEnabled(m_hasModel);
    m_speed->setText(tr("%1 ms per %2 s window (median of %3, 90% under %4 ms, features included): "
                        "%5x real time; %6 LibTorch thread(s), %7")
                         .arg(r.median_ms, 0, 'f', 1)
                         .arg(r.window_s, 0, 'g', 3)
                         .arg(r.runs)
                         .arg(r.p90_ms, 0, 'f', 1)
                         .arg(r.median_ms > 0 ? r.window_s * 1000 / r.median_ms : 0, 0, 'f', 0)
                         .arg(r.threads)
                         .arg(r.blas));
}

void ModelView::setSpeedFailed(const QString& message) {
    m_measure->setEnabled(m_hasModel);
    m_speed->setText(message);
}

void ModelView::setProfile(const ModelProfile& p) {
    m_profileButton->setEnabled(m_hasModel);
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

QString ModelView::summary() const { return m_summary->text(); }
QString ModelView::speedText() const { return m_speed->text(); }

}  // namespace patchout::ui
