#include "train_worker.h"

#include "run_job_worker.h"

#include "audio_worker.h"

#include "patchout/dataset.h"
#include "patchout/error.h"
#include "patchout/passt.h"
#include "patchout/pretrain.h"
#include "patchout/prune.h"
#include "patchout/recipes.h"
#include "patchout/run_folder.h"
#include "patchout/text.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace patchout::ui {
namespace {

// A line edit with a "Browse…" button that picks a folder, or a file when `fileFilter` is given.
QWidget* pathRow(QLineEdit* edit, const QString& caption, QWidget* parent, const QString& fileFilter = {}) {
    auto* row = new QWidget(parent);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QPushButton(TrainDialog::tr("Browse…"), row);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, row, [edit, caption, row, fileFilter] {
        const QString path = fileFilter.isEmpty()
                                 ? QFileDialog::getExistingDirectory(row, caption, edit->text())
                                 : QFileDialog::getOpenFileName(row, caption, edit->text(), fileFilter);
        if (!path.isEmpty())
            edit->setText(path);
    });
    return row;
}


}  // namespace

TrainDialog::TrainDialog(const QString& datasetHint, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("New training run"));
    m_dataset = new QLineEdit(datasetHint, this);
    m_dataset->setPlaceholderText(tr("folder per class, CSV, ESC-50, FSD50K, Speech Commands, FSDD…"));
    m_skipBadRows = new QCheckBox(tr("leave out rows with problems"), this);
    m_skipBadRows->setToolTip(tr("Rows naming a missing or unreadable file, an unknown label or a malformed "
                                 "line are left out and listed when training ends, instead of refusing the "
                                 "dataset (train --skip_bad_rows; kept in the run, so resuming reads the same "
                                 "clips)"));
    m_split = new QComboBox(this);
    m_split->addItem(tr("the dataset's own, else by speaker"), QStringLiteral("auto"));
    m_split->addItem(tr("the dataset's own"), QStringLiteral("own"));
    m_split->addItem(tr("by speaker / group"), QStringLiteral("group"));
    m_preset = new QComboBox(this);
    for (const std::string& name : passtPresetNames())
        m_preset->addItem(QString::fromStdString(name), QString::fromStdString(name));
    m_preset->setCurrentIndex(std::max(0, m_preset->findData(QStringLiteral("passt-micro"))));
    m_preset->setToolTip(tr("passt-micro and passt-mini train on a laptop CPU; passt-s is the official size"));
    m_recipe = new QComboBox(this);
    for (const std::string& name : trainRecipeNames()) {
        const QString id = QString::fromStdString(name);
        QString text = id;
        if (name == "from-scratch")
            text = tr("from scratch: roll, gain and frequency shift; no mixup or masks");
        else if (name == "fine-tune")
            text = tr("fine-tune: PaSST's recipe, mixup and SpecAugment masks");
        m_recipe->addItem(text, id);
    }
    m_recipe->setToolTip(tr("The options measured for this kind of training (docs/training.md); "
                            "epochs, batch size and learning rate below start from it"));
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 10000);
    m_epochs->setValue(50);
    m_batch = new QSpinBox(this);
    m_batch->setRange(1, 4096);
    m_batch->setValue(32);
    m_lr = new QDoubleSpinBox(this);
    m_lr->setDecimals(5);
    m_lr->setRange(1e-5, 1.0);
    m_lr->setSingleStep(1e-4);
    m_lr->setValue(1e-3);
    m_precision = new QComboBox(this);
    m_precision->addItem(tr("fp32"), QStringLiteral("fp32"));
    m_precision->addItem(tr("bf16 mixed precision"), QStringLiteral("bf16"));
    m_precision->addItem(tr("automatic: bf16 where the CPU has AVX-512 BF16 (this one: %1)")
                             .arg(QString::fromStdString(resolvePrecision("auto"))),
                         QStringLiteral("auto"));
    m_precision->setToolTip(tr("bf16: the products of each step in bfloat16, weights, loss and optimiser in "
                               "fp32 (train --precision; docs/benchmarks.md has the speed-up)"));
    m_init = new QLineEdit(this);
    m_init->setPlaceholderText(tr("empty: the model above, from scratch"));
    m_init->setToolTip(tr("Fine-tune a model file (.safetensors, e.g. a run's best model) or an official "
                          "PaSST checkpoint (.pt); a new head is made when its classes differ"));
    m_extra = new QLineEdit(this);
    m_extra->setPlaceholderText(tr("optional: another dataset folder whose clips join training"));
    m_extra->setToolTip(tr("E.g. synthetic voices (patchout dataset synth-words --words …) beside a "
                           "few real speakers; classes are matched by name"));
    m_freeze = new QSpinBox(this);
    m_freeze->setRange(0, 64);
    m_freeze->setToolTip(tr("The patch embedding, positions and the first k blocks stay fixed"));
    m_patchout = new QCheckBox(tr("the model's patchout while training"), this);
    m_patchout->setChecked(true);
    m_patchout->setToolTip(tr("Off: every patch in every step (slower, for comparison)"));
    m_pretrain = new QSpinBox(this);
    m_pretrain->setRange(0, 10000);
    m_pretrain->setSpecialValueText(tr("none"));
    m_pretrain->setSuffix(tr(" epochs"));
    m_pretrain->setToolTip(tr("Self-supervised pretraining before training: patchout hides most patches of "
                              "each clip and the model learns to fill them in, without labels, on the "
                              "dataset's training audio (never its test clips) and the folder below"));
    m_unlabelled = new QLineEdit(this);
    m_unlabelled->setPlaceholderText(tr("optional: a folder of audio without labels, for pretraining"));
    m_run = new QLineEdit(this);
    m_resume = new QCheckBox(tr("continue the run saved in this folder"), this);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #8a1010; }"));
    QString base = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (base.isEmpty())
        base = QDir::homePath();
    m_runBase = QDir(base).filePath(QStringLiteral("patchout-runs"));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Dataset:"), pathRow(m_dataset, tr("Dataset folder"), this));
    form->addRow(QString(), m_skipBadRows);
    form->addRow(tr("Split:"), m_split);
    form->addRow(tr("More training data:"), pathRow(m_extra, tr("More training data"), this));
    form->addRow(tr("Model:"), m_preset);
    form->addRow(tr("Start from:"), pathRow(m_init, tr("Model to fine-tune"), this,
                                            tr("Models (*.safetensors *.pt *.pth);;All files (*)")));
    form->addRow(tr("Freeze blocks:"), m_freeze);
    form->addRow(tr("Pretrain first:"), m_pretrain);
    form->addRow(tr("Unlabelled audio:"), pathRow(m_unlabelled, tr("Unlabelled audio"), this));
    form->addRow(tr("Recipe:"), m_recipe);
    form->addRow(tr("Epochs:"), m_epochs);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Learning rate:"), m_lr);
    form->addRow(tr("Patchout:"), m_patchout);
    form->addRow(tr("Precision:"), m_precision);
    form->addRow(tr("Run folder:"), pathRow(m_run, tr("Run folder"), this));
    form->addRow(QString(), m_resume);
    form->addRow(m_problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Train"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto suggest = [this] {
        if (!m_runEdited && !m_resume->isChecked())
            m_run->setText(suggestRunFolder(m_runBase, m_dataset->text(), m_preset->currentData().toString()));
        updateState();
    };
    connect(m_dataset, &QLineEdit::textChanged, this, suggest);
    connect(m_preset, &QComboBox::currentIndexChanged, this, suggest);
    connect(m_run, &QLineEdit::textEdited, this, [this] { m_runEdited = true; });
    connect(m_run, &QLineEdit::textChanged, this, [this] {
        // A folder holding a saved state is offered for resuming.
        const bool saved = fs::exists(RunPaths(m_run->text().toStdString()).state());
        m_resume->setEnabled(saved);
        m_resume->setChecked(saved);
        updateState();
    });
    connect(m_resume, &QCheckBox::toggled, this, [this] {
        applyResume();
        updateState();
    });
    connect(m_recipe, &QComboBox::activated, this, [this] { m_recipeChosen = true; });
    connect(m_recipe, &QComboBox::currentIndexChanged, this, &TrainDialog::applyRecipe);
    connect(m_extra, &QLineEdit::textChanged, this, &TrainDialog::updateState);
    connect(m_unlabelled, &QLineEdit::textChanged, this, &TrainDialog::updateState);
    connect(m_pretrain, &QSpinBox::valueChanged, this, [this] {
        m_unlabelled->parentWidget()->setEnabled(m_pretrain->isEnabled() && m_pretrain->value() > 0);
        updateState();
    });
    connect(m_init, &QLineEdit::textChanged, this, [this] {
        // A model file brings its own architecture: the preset no longer applies.
        const bool fromFile = !m_init->text().trimmed().isEmpty();
        m_preset->setEnabled(!fromFile);
        m_freeze->setEnabled(fromFile);
        m_pretrain->setEnabled(!fromFile);  // pretraining makes the model to start from
        m_unlabelled->parentWidget()->setEnabled(!fromFile && m_pretrain->value() > 0);
        if (!m_recipeChosen)  // fine-tuning a model wants the fine-tuning recipe
            m_recipe->setCurrentIndex(std::max(0, m_recipe->findData(QString::fromStdString(
                                                      defaultRecipeName(m_init->text().trimmed().toStdString())))));
        updateState();
    });
    m_freeze->setEnabled(false);
    m_unlabelled->parentWidget()->setEnabled(false);
    m_recipe->setCurrentIndex(std::max(0, m_recipe->findData(QString::fromStdString(defaultRecipeName({})))));
    applyRecipe();
    suggest();
}

void TrainDialog::applyRecipe() {
    const TrainOptions o = trainRecipe(m_recipe->currentData().toString().toStdString());
    m_epochs->setValue(o.epochs);
    m_batch->setValue(o.batch_size);
    m_lr->setValue(o.lr);
}

void TrainDialog::applyResume() {
    const bool resume = m_resume->isChecked();
    if (resume) {
        try {
            const RunFolder run = readRunFolder(m_run->text().trimmed().toStdString());
            const TrainOptions o = readRunOptions(run.dir);
            m_dataset->setText(QString::fromStdString(run.dataset));
            m_split->setCurrentIndex(std::max(0, m_split->findData(QString::fromStdString(run.split))));
            m_preset->setCurrentIndex(std::max(0, m_preset->findData(QString::fromStdString(o.preset))));
            m_init->setText(QString::fromStdString(o.init_checkpoint.string()));
            m_extra->setText(o.extra_train.empty() ? QString() : QString::fromStdString(o.extra_train.front().string()));
            m_freeze->setValue(o.freeze_blocks);
            m_epochs->setValue(o.epochs);
            m_batch->setValue(o.batch_size);
            m_lr->setValue(o.lr);
            m_patchout->setChecked(!(o.override_patchout && !o.patchout.active()));
            m_precision->setCurrentIndex(std::max(0, m_precision->findData(QString::fromStdString(o.precision))));
            m_skipBadRows->setChecked(o.skip_bad_rows);
        } catch (const std::exception&) {
            // problem() says why the run cannot be resumed
        }
    }
    // A resumed run continues with its own options: shown, not editable.
    for (QWidget* w : std::initializer_list<QWidget*>{m_dataset, m_skipBadRows, m_split, m_extra, m_recipe,
                                                      m_epochs, m_batch, m_lr, m_patchout})
        w->setEnabled(!resume);
    const bool fromFile = !m_init->text().trimmed().isEmpty();
    m_init->setEnabled(!resume);
    m_preset->setEnabled(!resume && !fromFile);
    m_freeze->setEnabled(!resume && fromFile);
    m_pretrain->setEnabled(!resume && !fromFile);
    m_unlabelled->parentWidget()->setEnabled(!resume && !fromFile && m_pretrain->value() > 0);
}

QString TrainDialog::suggestRunFolder(const QString& base, const QString& dataset, const QString& preset) {
    QString name = QFileInfo(QDir::cleanPath(dataset)).fileName();
    if (name.isEmpty())
        name = QStringLiteral("run");
    return QDir(base).filePath(QStringLiteral("%1-%2-%3").arg(
        name, preset, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))));
}

TrainRequest TrainDialog::request() const {
    TrainRequest r;
    r.dataset = m_dataset->text().trimmed();
    r.split = m_split->currentData().toString();
    r.run_dir = m_run->text().trimmed();
    TrainOptions& o = r.options;
    if (m_resume->isChecked()) {
        try {
            o = readRunOptions(r.run_dir.toStdString());
            o.precision = m_precision->currentData().toString().toStdString();  // may change on resume
        } catch (const std::exception&) {
            o.resume = true;  // problem() says why it cannot start
        }
        return r;
    }
    o = trainRecipe(m_recipe->currentData().toString().toStdString());
    o.preset = m_preset->currentData().toString().toStdString();
    o.epochs = m_epochs->value();
    o.batch_size = m_batch->value();
    o.lr = m_lr->value();
    o.precision = m_precision->currentData().toString().toStdString();
    o.skip_bad_rows = m_skipBadRows->isChecked();
    o.init_checkpoint = m_init->text().trimmed().toStdString();
    o.freeze_blocks = o.init_checkpoint.empty() ? 0 : m_freeze->value();
    if (const QString extra = m_extra->text().trimmed(); !extra.isEmpty())
        o.extra_train = {extra.toStdString()};
    if (!m_patchout->isChecked()) {
        o.override_patchout = true;
        o.patchout = {};
    }
    o.resume = m_resume->isChecked();
    if (o.init_checkpoint.empty()) {
        r.pretrain_epochs = m_pretrain->value();
        r.unlabelled = r.pretrain_epochs > 0 ? m_unlabelled->text().trimmed() : QString();
    }
    return r;
}

QString TrainDialog::problem() const {
    const TrainRequest r = request();
    if (r.dataset.isEmpty())
        return tr("Choose the dataset folder.");
    if (!QFileInfo(r.dataset).isDir())
        return tr("%1 is not a folder.").arg(r.dataset);
    for (const auto& extra : r.options.extra_train)
        if (!QFileInfo(QString::fromStdString(extra.string())).isDir())
            return tr("The extra training data, %1, is not a folder.").arg(QString::fromStdString(extra.string()));
    if (!r.unlabelled.isEmpty() && !QFileInfo(r.unlabelled).isDir())
        return tr("The unlabelled audio, %1, is not a folder.").arg(r.unlabelled);
    const QString init = QString::fromStdString(r.options.init_checkpoint.string());
    if (!init.isEmpty() && !QFileInfo(init).isFile())
        return tr("The model to start from, %1, is not a file.").arg(init);
    if (r.run_dir.isEmpty())
        return tr("Choose the run folder.");
    if (!r.options.resume && fs::exists(RunPaths(r.run_dir.toStdString()).state()))
        return tr("The run folder holds a run already: resume it or choose another folder.");
    if (r.options.resume) {
        try {
            readRunOptions(r.run_dir.toStdString());
        } catch (const std::exception& e) {
            return tr("Cannot continue this run: %1").arg(describeError(e));
        }
    }
    return {};
}

void TrainDialog::updateState() {
    const QString why = problem();
    m_problem->setText(why);
    if (auto* buttons = findChild<QDialogButtonBox*>())
        buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void TrainWorker::run(const TrainRequest& request) {
    m_stop.store(false);
    const QString runDir = QFileInfo(request.run_dir).absoluteFilePath();
    bool announced = false;
    bool pretraining = false;
    const JobControl job([&](const Progress& p) {
        // Pretraining and head importance report progress before train() writes config.json; the
        // Train view follows the run once that is there.
        if (!announced && fs::exists(RunPaths(runDir.toStdString()).config())) {
            announced = true;
            Q_EMIT started(runDir);
        }
        QString status = QString::fromStdString(p.message);
        if (p.event == ProgressEvent::Step && std::isfinite(p.metric(metric::kLoss)))
            status += tr(" · step %1 of %2 · loss %3 · %4 clips/s · %5 left")
                          .arg(p.step)
                          .arg(p.total)
                          .arg(p.metric(metric::kLoss), 0, 'f', 3)
                          .arg(p.metric(metric::kExamplesPerSecond), 0, 'f', 0)
                          .arg(QString::fromStdString(formatDuration(p.metric(metric::kEtaSeconds))));
        else if (p.event == ProgressEvent::EpochEnd && std::isfinite(p.metric(metric::kValidationAccuracy)))
            status += tr(" · validation accuracy %1%").arg(100 * p.metric(metric::kValidationAccuracy), 0, 'f', 1);
        Q_EMIT progress(p.step, p.total, status);
    }, m_stop);
    try {
        const Dataset dataset =
            readDataset(request.dataset.toStdString(), {.skip_bad_rows = request.options.skip_bad_rows});
        const DatasetSplit split = trainSplit(dataset, request.split.toStdString(), request.options.seed);
        TrainOptions options = request.options;
        QString summary;
        if (request.pretrain_epochs > 0 && !options.resume && options.init_checkpoint.empty()) {
            std::vector<fs::path> more;
            if (!request.unlabelled.isEmpty())
                more.push_back(request.unlabelled.toStdString());
            if (options.cache_dir.empty())  // one feature cache for pretraining and training
                options.cache_dir = RunPaths(runDir.toStdString()).cache();
            pretraining = true;
            const PretrainResult pr = pretrainBeforeTraining(dataset, split, options, request.pretrain_epochs, more,
                                                             RunPaths(runDir.toStdString()).pretrain(), &job);
            pretraining = false;
            options.init_checkpoint = pr.checkpoint;
            summary = tr("Pretrained on %1 clips in %2 (reconstruction loss %3 → %4); ")
                          .arg(pr.clips)
                          .arg(QString::fromStdString(formatDuration(pr.seconds)))
                          .arg(pr.epochs.front().loss, 0, 'f', 3)
                          .arg(pr.epochs.back().loss, 0, 'f', 3);
        }
        if (!request.prune_checkpoint.isEmpty()) {
            PruneOptions po;
            po.keep_heads = request.keep_heads;
            po.keep_blocks = request.keep_blocks;
            po.rounds = 1;
            po.fine_tune = options;
            const PruneResult pr = pruneAndFineTune(request.prune_checkpoint.toStdString(), dataset, split, po,
                                                    runDir.toStdString(), &job);
            const TrainResult& t = pr.rounds.back().trained;
            summary = tr("Pruned to %1 of %2 blocks and %3 of %4 heads: %5 parameters (%6%); fine-tuned %7 epochs in %8")
                          .arg(pr.blocks_after)
                          .arg(pr.blocks_before)
                          .arg(pr.heads_after)
                          .arg(pr.heads_before)
                          .arg(QLocale().toString(static_cast<qlonglong>(pr.parameters_after)))
                          .arg(100.0 * static_cast<double>(pr.parameters_after - pr.parameters_before) /
                                   static_cast<double>(pr.parameters_before),
                               0, 'f', 1)
                          .arg(t.epochs_done)
                          .arg(QString::fromStdString(formatDuration(t.seconds)));
            if (t.test.examples > 0)
                summary += tr("; test accuracy %1% on %2 clips").arg(100 * t.test.accuracy, 0, 'f', 1).arg(t.test.examples);
            Q_EMIT finished(runDir, summary, false);
            return;
        }
        const TrainResult r = train(dataset, split, options, runDir.toStdString(), &job);
        summary += tr("Trained %1 epochs (%2 steps) in %3").arg(r.epochs_done).arg(r.steps).arg(QString::fromStdString(formatDuration(r.seconds)));
        if (r.best_epoch > 0 && r.validation_clips > 0)
            summary += tr("; best validation accuracy %1% (epoch %2)").arg(100 * r.best_validation_accuracy, 0, 'f', 1).arg(r.best_epoch);
        else if (r.best_epoch > 0)
            summary += tr("; no validation clips, so the best model is the last epoch's");
        if (r.test.examples > 0)
            summary += tr("; test accuracy %1% on %2 clips").arg(100 * r.test.accuracy, 0, 'f', 1).arg(r.test.examples);
        if (r.floor.examples > 0)
            summary += tr("; the classical floor %1% (%2 points)")
                           .arg(100 * r.floor.accuracy, 0, 'f', 1)
                           .arg(100 * (r.test.accuracy - r.floor.accuracy), 0, 'f', 1);
        if (dataset.skipped_rows > 0)
            summary += tr("; %n dataset row(s) left out, first %1", nullptr, static_cast<int>(dataset.skipped_rows))
                           .arg(QString::fromStdString(dataset.problems.front().describe()));
        Q_EMIT finished(runDir, RunJobWorker::skippedNote(r.skipped_clips, r.run_dir / "errors.csv", summary), false);
    } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled && pretraining) {
            Q_EMIT finished(runDir, tr("Pretraining stopped; no training run was started"), true);
            return;
        }
        if (e.code() == ErrorCode::Cancelled) {
            const RunState state = readRunState(runDir.toStdString());
            Q_EMIT finished(runDir,
                            tr("Stopped at step %1 (epoch %2 done); its state is saved: "
                               "New training run… with this folder resumes it")
                                .arg(state.step)
                                .arg(state.epoch),
                            true);
            return;
        }
        Q_EMIT failed(tr("Training failed: %1").arg(describeError(e)));
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Training failed: %1").arg(describeError(e)));
    }
}

}  // namespace patchout::ui
