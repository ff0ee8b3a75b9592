// "What the model looked at": one window of a recording explained with a model file (core
// explainFile: occlusion by patchout along time, frequency or single patches, or attention
// rollout), drawn as the window's log-mel with the map over it, with the class, its score and where
// the map is strongest. Opened from Evaluate (a clip of a cell, a failure, a flipped clip) and from
// Listen (the window at the play cursor). The map is computed on a worker thread; changing the
// method, the class or the start computes it again. Thread-safety: GUI thread only.
#pragma once

#include "patchout/ui/spectrogram_view.h"

#include <QDialog>
#include <QImage>
#include <QString>
#include <QStringList>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QThread;

namespace patchout::ui {

class ExplainDialog : public QDialog {
    Q_OBJECT
public:
    // `labels`: the model's classes (offered, "" first for the window's best); `targetClass`
    // preselected ("" the best).
    ExplainDialog(const QString& file, const QString& model, const QStringList& labels, double startSeconds,
                  const QString& targetClass = {}, QWidget* parent = nullptr);
    ~ExplainDialog() override;

    // Where the model runs for the next compute(): "auto", "cpu" (the default) or "cuda".
    void setComputeDevice(const QString& device) { m_device = device; }
    // Computes the map with the dialog's settings (what Explain does); explained() or failed().
    void compute();
    bool computing() const noexcept { return m_thread != nullptr; }
    QString summary() const;
    QImage picture() const noexcept { return m_image; }
    QComboBox* methodBox() const noexcept { return m_method; }
    QComboBox* classBox() const noexcept { return m_class; }
    // The last map on the recording's axes (empty before the first); Show in Listen sends it.
    const SpectrogramOverlay& overlay() const noexcept { return m_overlay; }
    QPushButton* showInListenButton() const noexcept { return m_showInListen; }

Q_SIGNALS:
    void explained(const QString& summary);
    void failed(const QString& message);
    // Show in Listen: lay the map over `file`'s spectrogram.
    void showInListen(const QString& file, const patchout::ui::SpectrogramOverlay& overlay);

private:
    void showPicture();
    QString m_file, m_model;
    QString m_device = QStringLiteral("cpu");
    QComboBox* m_method = nullptr;
    QComboBox* m_class = nullptr;
    QDoubleSpinBox* m_start = nullptr;
    QPushButton* m_explain = nullptr;
    QPushButton* m_showInListen = nullptr;
    SpectrogramOverlay m_overlay;
    QLabel* m_picture = nullptr;
    QLabel* m_text = nullptr;
    QImage m_image;
    QThread* m_thread = nullptr;
    bool m_again = false;  // settings changed while computing: compute again when it ends
};

}  // namespace patchout::ui
