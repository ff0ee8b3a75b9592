#include "explain_dialog.h"

#include "audio_worker.h"

#include "patchout/error.h"
#include "patchout/explain.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QThread>
#include <QVBoxLayout>

#include <memory>
#include <utility>

namespace patchout::ui {

ExplainDialog::ExplainDialog(const QString& file, const QString& model, const QStringList& labels,
                             double startSeconds, const QString& targetClass, QWidget* parent)
    : QDialog(parent), m_file(file), m_model(model) {
    setWindowTitle(tr("What the model looked at — %1").arg(QFileInfo(file).fileName()));
    m_method = new QComboBox(this);
    m_method->addItem(tr("time: the score's drop when a time column is left out"), QStringLiteral("occlusion-time"));
    m_method->addItem(tr("frequency: the drop when a frequency row is left out"), QStringLiteral("occlusion-frequency"));
    m_method->addItem(tr("patches: the drop when a single patch is left out"), QStringLiteral("occlusion-patch"));
    m_method->addItem(tr("attention rollout through the blocks"), QStringLiteral("rollout"));
    m_method->setToolTip(tr("Occlusion by patchout leaves patches out of the sequence, the model's own masking; "
                            "rollout multiplies the blocks' attention"));
    m_class = new QComboBox(this);
    m_class->addItem(tr("the window's best class"), QString());
    for (const QString& l : labels)
        m_class->addItem(l, l);
    m_class->setCurrentIndex(std::max(0, m_class->findData(targetClass)));
    m_start = new QDoubleSpinBox(this);
    m_start->setRange(0, 1e6);
    m_start->setDecimals(2);
    m_start->setSuffix(tr(" s"));
    m_start->setValue(startSeconds);
    m_start->setToolTip(tr("Start of the window in the recording (the model's input length from here)"));
    m_explain = new QPushButton(tr("Explain"), this);
    m_picture = new QLabel(this);
    m_picture->setAlignment(Qt::AlignCenter);
    m_picture->setMinimumSize(480, 260);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow(tr("Method:"), m_method);
    form->addRow(tr("Class:"), m_class);
    auto* startRow = new QHBoxLayout;
    startRow->addWidget(m_start, 1);
    startRow->addWidget(m_explain);
    form->addRow(tr("Window from:"), startRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_showInListen = buttons->addButton(tr("Show in Listen"), QDialogButtonBox::ActionRole);
    m_showInListen->setToolTip(tr("Lay this map over the recording's spectrogram in Listen"));
    m_showInListen->setEnabled(false);
    connect(m_showInListen, &QPushButton::clicked, this, [this] { Q_EMIT showInListen(m_file, m_overlay); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_picture, 1);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
    connect(m_explain, &QPushButton::clicked, this, &ExplainDialog::compute);
    connect(m_method, &QComboBox::currentIndexChanged, this, &ExplainDialog::compute);
    connect(m_class, &QComboBox::currentIndexChanged, this, &ExplainDialog::compute);
    resize(760, 560);
}

ExplainDialog::~ExplainDialog() {
    if (m_thread != nullptr)
        m_thread->wait();  // it reports to this dialog
}

QString ExplainDialog::summary() const { return m_text->text(); }

void ExplainDialog::compute() {
    if (m_thread != nullptr) {
        m_again = true;  // one at a time: the newest settings once this one ends
        return;
    }
    ExplainFileOptions options;
    options.method = explainMethodFromName(m_method->currentData().toString().toStdString());
    options.start_s = m_start->value();
    options.target_class = m_class->currentData().toString().toStdString();
    options.device = m_device.toStdString();
    const std::string file = m_file.toStdString(), model = m_model.toStdString();
    m_explain->setEnabled(false);
    m_text->setText(tr("Explaining %1…").arg(QFileInfo(m_file).fileName()));
    m_thread = QThread::create([this, file, model, options] {
        try {
            auto result = std::make_shared<FileExplanation>(explainFile(file, model, options));
            const RgbImage rgb = renderExplanation(result->window, result->map);
            QImage image = QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888)
                               .convertToFormat(QImage::Format_RGB32);  // a copy: `rgb` goes
            QMetaObject::invokeMethod(this, [this, result, image] {
                m_image = image;
                m_overlay = SpectrogramOverlay::of(*result);
                m_showInListen->setEnabled(!m_overlay.empty());
                QString text = tr("%1, %2–%3 s: <b>%4</b> scores %5 (%6). ")
                                   .arg(QFileInfo(m_file).fileName())
                                   .arg(result->start_s, 0, 'f', 2)
                                   .arg(result->end_s, 0, 'f', 2)
                                   .arg(QString::fromStdString(result->label).toHtmlEscaped())
                                   .arg(result->map.score, 0, 'f', 3)
                                   .arg(QString::fromStdString(explainMethodName(result->map.method)));
                QStringList times, bands;
                for (const auto& r : result->strongest_times)
                    times << tr("%1–%2 s (%3%)").arg(r.from, 0, 'f', 2).arg(r.to, 0, 'f', 2).arg(100 * r.value, 0, 'f', 0);
                for (const auto& r : result->strongest_bands)
                    bands << tr("%1–%2 Hz (%3%)").arg(r.from, 0, 'f', 0).arg(r.to, 0, 'f', 0).arg(100 * r.value, 0, 'f', 0);
                text += tr("Strongest in time: %1; in frequency: %2.").arg(times.join(QStringLiteral(", ")),
                                                                             bands.join(QStringLiteral(", ")));
                if (result->audio_end_s < result->end_s)
                    text += tr(" The recording ends at %1 s: the window is filled with silence after it, as the "
                               "evaluation scores a short clip.")
                                .arg(result->audio_end_s, 0, 'f', 2);
                m_text->setText(text);
                showPicture();
                Q_EMIT explained(text);
            });
        } catch (const std::exception& e) {
            const QString message = tr("Cannot explain: %1").arg(describeError(e));
            QMetaObject::invokeMethod(this, [this, message] {
                m_image = {};
                m_overlay = {};
                m_showInListen->setEnabled(false);
                m_picture->clear();
                m_text->setText(message);
                Q_EMIT failed(message);
            });
        }
    });
    connect(m_thread, &QThread::finished, this, [this] {
        m_thread->deleteLater();
        m_thread = nullptr;
        m_explain->setEnabled(true);
        if (std::exchange(m_again, false))
            compute();
    });
    m_thread->start();
}

void ExplainDialog::showPicture() {
    if (m_image.isNull())
        return;
    m_picture->setPixmap(QPixmap::fromImage(m_image).scaled(m_picture->size(), Qt::KeepAspectRatio,
                                                            Qt::SmoothTransformation));
}

}  // namespace patchout::ui
