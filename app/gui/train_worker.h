// Training from the workbench: TrainDialog asks for a dataset folder (and optionally another
// whose clips join training), a preset or a model to fine-tune (with blocks to freeze) or
// self-supervised pretraining first (on the dataset's own audio and any unlabelled folder), a training
// recipe (core recipes.h: the one `patchout train --recipe` and the demo use) with its main options
// and a run folder; resuming a run takes all of them from its config.json. TrainWorker runs core
// train() on its own thread with progress and stop, so the Train view can follow the run folder as
// `patchout train` would write it (the same options, files and resume). Thread-safety: TrainDialog
// on the GUI thread; TrainWorker lives in its thread, only stop() may be called from another.
#pragma once

#include "patchout/trainer.h"

#include <QDialog>
#include <QObject>
#include <QString>

#include <atomic>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace patchout::ui {

struct TrainRequest {
    QString dataset;              // folder, any layout readDataset() detects
    QString split = QStringLiteral("auto");  // trainSplit(): auto, own or group
    QString run_dir;
    TrainOptions options;         // with resume: the run's own (readRunOptions)
    // Self-supervised pretraining first (pretrain.h), into RUN/pretrain, on the split's training
    // and validation audio plus `unlabelled` (a folder, optional); training then starts from its
    // encoder. 0: none (also when resuming or starting from a model file).
    int pretrain_epochs = 0;
    QString unlabelled;
    // Pruning instead of training from scratch (prune.h, one round): this model file, cut to its
    // first keep_blocks blocks (0: all) and keep_heads of their heads, fine-tuned with `options`
    // into run_dir.
    QString prune_checkpoint;
    double keep_heads = 0.5;
    int keep_blocks = 0;
};

class TrainDialog : public QDialog {
    Q_OBJECT
public:
    // `datasetHint`: a folder to offer first (e.g. the dataset of the run open).
    explicit TrainDialog(const QString& datasetHint = {}, QWidget* parent = nullptr);

    TrainRequest request() const;
    // Why the request cannot start yet (empty when it can): no dataset, no run folder, a run
    // folder holding a state while "resume" is off.
    QString problem() const;

    QLineEdit* datasetEdit() const noexcept { return m_dataset; }
    QLineEdit* runEdit() const noexcept { return m_run; }
    QComboBox* presetBox() const noexcept { return m_preset; }
    QComboBox* recipeBox() const noexcept { return m_recipe; }
    QComboBox* precisionBox() const noexcept { return m_precision; }
    QDoubleSpinBox* lrBox() const noexcept { return m_lr; }
    QSpinBox* epochsBox() const noexcept { return m_epochs; }
    QCheckBox* resumeBox() const noexcept { return m_resume; }
    QCheckBox* patchoutBox() const noexcept { return m_patchout; }
    QCheckBox* skipBadRowsBox() const noexcept { return m_skipBadRows; }
    QLineEdit* initEdit() const noexcept { return m_init; }
    QLineEdit* extraEdit() const noexcept { return m_extra; }
    QSpinBox* freezeBox() const noexcept { return m_freeze; }
    QSpinBox* pretrainBox() const noexcept { return m_pretrain; }
    QLineEdit* unlabelledEdit() const noexcept { return m_unlabelled; }

    // A new folder under `base` for a run of `preset` on `dataset`: base/<dataset>-<preset>-<time>.
    static QString suggestRunFolder(const QString& base, const QString& dataset, const QString& preset);

private:
    void updateState();
    // Fills epochs, batch size and learning rate from the chosen recipe.
    void applyRecipe();
    // With "continue": shows the run's own options (config.json) and locks them.
    void applyResume();

    QLineEdit* m_dataset = nullptr;
    QComboBox* m_split = nullptr;
    QComboBox* m_preset = nullptr;
    QComboBox* m_recipe = nullptr;
    QComboBox* m_precision = nullptr;
    QSpinBox* m_epochs = nullptr;
    QSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QLineEdit* m_extra = nullptr;   // a dataset whose clips join training (extra_train)
    QLineEdit* m_init = nullptr;    // a model to fine-tune; empty: the preset from scratch
    QSpinBox* m_freeze = nullptr;
    QCheckBox* m_patchout = nullptr;
    QCheckBox* m_skipBadRows = nullptr;
    QSpinBox* m_pretrain = nullptr;   // epochs of self-supervised pretraining (0: none)
    QLineEdit* m_unlabelled = nullptr;  // more audio for it, without labels
    QLineEdit* m_run = nullptr;
    QCheckBox* m_resume = nullptr;
    QLabel* m_problem = nullptr;
    QString m_runBase;
    bool m_runEdited = false;  // the user typed a run folder: suggestions no longer replace it
    bool m_recipeChosen = false;  // the user chose a recipe: Start from no longer switches it
};

class TrainWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Any thread: the run stops at its next step, saving its state (it can be resumed).
    void stop() noexcept { m_stop.store(true); }

public Q_SLOTS:
    // Reads the dataset, splits it, pretrains when asked (RUN/pretrain) and trains into
    // request.run_dir. Emits started once the run folder holds its config.json, progress every
    // step (pretraining's too), then finished or failed.
    void run(const patchout::ui::TrainRequest& request);

Q_SIGNALS:
    void started(const QString& runDir);
    // "epoch 3/50 · step 120 · loss 0.512 · 310 clips/s · 2:10 left"
    void progress(qint64 step, qint64 total, const QString& status);
    // A human summary: test accuracy, time, where the checkpoints are; `stopped` when the user
    // stopped it (the state is saved for --resume).
    void finished(const QString& runDir, const QString& summary, bool stopped);
    void failed(const QString& message);

private:
    std::atomic<bool> m_stop{false};
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::TrainRequest)
