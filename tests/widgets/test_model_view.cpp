// ModelView: a ModelCard becomes the summary, the architecture and cost tables (patchout's saving
// shown beside the full cost), the parameter table, classes and metadata; the speed button asks
// once and shows the measurement.
#include "qtest_registry.h"

#include "patchout/system_info.h"
#include "patchout/ui/model_view.h"

#include <QDir>
#include <QComboBox>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace patchout;
using namespace patchout::ui;

namespace {

ModelCard miniCard() {
    ModelCard card;
    card.path = QStringLiteral("/runs/words/checkpoints/best.safetensors");
    card.options = passtPreset("passt-mini");  // patchout 2 time columns + 2 frequency rows
    for (int i = 0; i < card.options.num_classes; ++i)
        card.labels << QStringLiteral("word%1").arg(i);
    card.activation = QStringLiteral("softmax");
    const PaSSTModel model(card.options);
    card.parameters = model.parameters();
    card.parameter_count = model.parameterCount();
    card.metadata = {{QStringLiteral("epoch"), QStringLiteral("50")}, {QStringLiteral("task"), QStringLiteral("single-label")}};
    card.cost = forwardCost(card.options, card.options.input_frames);
    const int freq = card.options.freqPatches(), time = card.options.timePatches(card.options.input_frames);
    card.training_cost = forwardCost(card.options, card.options.input_frames, (freq - 2) * (time - 2));
    return card;
}

}  // namespace

class ModelViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsTheCard() {
        ModelView view;
        QVERIFY(!view.hasModel());
        QVERIFY(!view.speedButton()->isEnabled());
        const ModelCard card = miniCard();
        view.setModel(card);
        QVERIFY(view.hasModel());
        QVERIFY2(view.summary().contains(QStringLiteral("best.safetensors")), qPrintable(view.summary()));
        QVERIFY2(view.summary().contains(shortCount(static_cast<double>(card.parameter_count))), qPrintable(view.summary()));
        QVERIFY2(view.summary().contains(QStringLiteral("single-label")), qPrintable(view.summary()));
        // Architecture: the patch grid of 12 x 9 patches.
        QString grid;
        for (int r = 0; r < view.architectureTable()->rowCount(); ++r)
            if (view.architectureTable()->item(r, 0)->text() == QStringLiteral("Patch grid"))
                grid = view.architectureTable()->item(r, 1)->text();
        QCOMPARE(grid, QStringLiteral("12 frequency x 9 time = 108 patches"));
        // No live classifier yet: no row for it; then the faster precision with both times.
        const int rowsBefore = view.architectureTable()->rowCount();
        QCOMPARE(view.architectureTable()->item(rowsBefore - 1, 0)->text(), QStringLiteral("Tokens while training"));
        ModelCard live = card;
        live.live_precision = LivePrecision{.bf16 = true, .fp32_ms = 4.0, .bf16_ms = 2.5};
        view.setModel(live);
        QCOMPARE(view.architectureTable()->rowCount(), rowsBefore + 1);
        QCOMPARE(view.architectureTable()->item(rowsBefore, 1)->text(),
                 QStringLiteral("bf16 autocast: 2.5 ms per window, fp32 4.0 ms"));
        view.setModel(card);
        // Cost: five parts, the total, FLOPs per second; patchout makes training cheaper.
        QCOMPARE(view.costTable()->rowCount(), 7);
        QCOMPARE(view.costTable()->item(5, 1)->text(), shortCount(card.cost.macs()));
        QCOMPARE(view.costTable()->item(5, 3)->text(), shortCount(card.training_cost.macs()));
        QVERIFY(card.training_cost.macs() < card.cost.macs());
        QCOMPARE(view.costTable()->item(5, 2)->text(), QStringLiteral("100.0 %"));
        // Every parameter with its shape, sortable by count.
        QCOMPARE(view.parameterTable()->rowCount(), static_cast<int>(card.parameters.size()));
        view.parameterTable()->sortItems(2, Qt::DescendingOrder);
        const QString largest = view.parameterTable()->item(0, 0)->text();
        QVERIFY2(largest.endsWith(QStringLiteral("fc1.weight")) || largest.endsWith(QStringLiteral("fc2.weight")),
                 qPrintable(largest));
        QCOMPARE(view.classList()->count(), 10);
        QVERIFY(view.classList()->item(3)->text().contains(QStringLiteral("word3")));
        QCOMPARE(view.metadataTable()->rowCount(), 2);
        view.clear();
        QVERIFY(!view.hasModel());
        QCOMPARE(view.parameterTable()->rowCount(), 0);
    }

    void measuresOnRequest() {
        ModelView view;
        view.setModel(miniCard());
        QSignalSpy asked(&view, &ModelView::speedRequested);
        QTest::mouseClick(view.speedButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QVERIFY(!view.speedButton()->isEnabled());  // one measurement at a time
        SpeedResult r;
        r.window_s = 1.0;
        r.runs = 20;
        r.median_ms = 4.0;
        r.p90_ms = 5.5;
        r.threads = 1;
        r.blas = QStringLiteral("OpenBLAS (SkylakeX), 2 threads");
        view.setSpeed(r);
        QVERIFY(view.speedButton()->isEnabled());
        QVERIFY2(view.speedText().contains(QStringLiteral("4.0 ms per 1 s window")), qPrintable(view.speedText()));
        QVERIFY2(view.speedText().contains(QStringLiteral("250x real time on the CPU")), qPrintable(view.speedText()));
        r.device = QStringLiteral("the GPU (CUDA)");
        view.setSpeed(r);
        QVERIFY2(view.speedText().contains(QStringLiteral("250x real time on the GPU (CUDA)")), qPrintable(view.speedText()));
        view.setSpeedFailed(QStringLiteral("Cancelled"));
        QCOMPARE(view.speedText(), QStringLiteral("Cancelled"));
    }

    void profilesOnRequest() {
        ModelView view;
        view.resize(1100, 640);
        const ModelCard card = miniCard();
        view.setModel(card);
        QSignalSpy asked(&view, &ModelView::profileRequested);
        QTest::mouseClick(view.profileButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        QVERIFY(!view.profileButton()->isEnabled());
        configureThreads({.torch_threads = 1, .blas_threads = 1});  // as the workbench sets them
        ProfileOptions o;
        o.repeats = 5;
        const ModelProfile p = profileModel(PaSSTModel(card.options), o);
        view.setProfile(p);
        QVERIFY(view.profileButton()->isEnabled());
        // Six kinds of part and their sum; each kind with a bar for its share of the time.
        QCOMPARE(view.profileTable()->rowCount(), 7);
        QCOMPARE(view.profileTable()->item(0, 0)->text(), QStringLiteral("Patch embedding"));
        QCOMPARE(view.profileTable()->item(6, 1)->text(), QLocale().toString(static_cast<qlonglong>(p.parameters())));
        auto* bar = qobject_cast<QProgressBar*>(view.profileTable()->cellWidget(4, 4));  // the MLP
        QVERIFY(bar != nullptr);
        QVERIFY(bar->value() > 0);
        QVERIFY(view.profileTable()->cellWidget(6, 4) == nullptr);
        QVERIFY2(view.profileText().contains(QStringLiteral("forward + backward")), qPrintable(view.profileText()));
        QVERIFY2(view.profileText().contains(QStringLiteral("measured")), qPrintable(view.profileText()));
        // PATCHOUT_SHOT_DIR=DIR: the view with its profile, for docs/images.
        if (const QString shots = qEnvironmentVariable("PATCHOUT_SHOT_DIR"); !shots.isEmpty()) {
            view.showProfile();
            QVERIFY(view.grab().save(QDir(shots).filePath(QStringLiteral("model-profile.png"))));
        }
        view.setProfileFailed(QStringLiteral("Cancelled"));
        QCOMPARE(view.profileText(), QStringLiteral("Cancelled"));
        view.clear();
        QCOMPARE(view.profileTable()->rowCount(), 0);
        QVERIFY(!view.profileButton()->isEnabled());
    }

    void optimiseTabPredictsAndAsksToPrune() {
        ModelView view;
        view.resize(1100, 640);
        const ModelCard card = miniCard();  // passt-mini: 4 blocks of 3 heads
        view.setModel(card);
        QVERIFY(view.importanceButton()->isEnabled());
        QVERIFY(!view.pruneButton()->isEnabled());  // nothing measured yet
        QSignalSpy asked(&view, &ModelView::importanceRequested);
        QTest::mouseClick(view.importanceButton(), Qt::LeftButton);
        QCOMPARE(asked.count(), 1);
        view.setImportance({{0.9, 0.3, 0.3}, {0.2, 0.95, 0.24}, {0.1, 0.5, 0.86}, {0.7, 0.7, 0.1}});
        view.setKeepShare(0.5);
        // 6 of 12 heads stay; each dropped head takes 4 x 192 x 64 weights and 3 x 64 biases.
        QCOMPARE(view.keptHeads(), (HeadSelection{{true, false, false}, {false, true, false}, {false, true, true}, {true, true, false}}));
        const qlonglong expected = card.parameter_count - 6 * (4 * 192 * 64 + 3 * 64);
        QVERIFY2(view.predictionText().contains(QLocale().toString(expected)), qPrintable(view.predictionText()));
        QVERIFY2(view.predictionText().contains(QStringLiteral("profile the model")), qPrintable(view.predictionText()));
        // With a profile, a latency estimate appears.
        configureThreads({.torch_threads = 1, .blas_threads = 1});
        ProfileOptions o;
        o.repeats = 3;
        view.setProfile(profileModel(PaSSTModel(card.options), o));
        QVERIFY2(view.predictionText().contains(QStringLiteral("ms per window")), qPrintable(view.predictionText()));
        QVERIFY(view.pruneButton()->isEnabled());
        QSignalSpy prune(&view, &ModelView::pruneRequested);
        QTest::mouseClick(view.pruneButton(), Qt::LeftButton);
        QCOMPARE(prune.count(), 1);
        QCOMPARE(prune.at(0).at(0).toDouble(), 0.5);
        QCOMPARE(prune.at(0).at(1).toInt(), 4);
        // The top two blocks dropped first: half of the 6 heads left in blocks 0 and 1 stay.
        view.setKeepBlocks(2);
        QCOMPARE(view.keptHeads(), (HeadSelection{{true, false, true}, {false, true, false}}));
        const qlonglong block = 2 * 2 * 192 + (192 * 576 + 576) + (192 * 192 + 192) + (192 * 768 + 768) + (768 * 192 + 192);
        const qlonglong twoBlocks = card.parameter_count - 2 * block - 3 * (4 * 192 * 64 + 3 * 64);
        QVERIFY2(view.predictionText().contains(QStringLiteral("Keeping 2 of 4 blocks and 3 of 12 heads")),
                 qPrintable(view.predictionText()));
        QVERIFY2(view.predictionText().contains(QLocale().toString(twoBlocks)), qPrintable(view.predictionText()));
        QTest::mouseClick(view.pruneButton(), Qt::LeftButton);
        QCOMPARE(prune.count(), 2);
        QCOMPARE(prune.at(1).at(1).toInt(), 2);
        view.setKeepShare(1.0);  // blocks dropped alone: no importance needed, and still a smaller model
        QVERIFY(view.pruneButton()->isEnabled());
        if (const QString shots = qEnvironmentVariable("PATCHOUT_SHOT_DIR"); !shots.isEmpty()) {
            view.showOptimise();
            QVERIFY(view.grab().save(QDir(shots).filePath(QStringLiteral("model-optimise.png"))));
        }
        // Sharing: pairs of blocks; the MLP of blocks 1 and 3 is what goes.
        view.sharingBox()->setCurrentIndex(view.sharingBox()->findData(QStringLiteral("mlp")));
        const qlonglong mlp = 2 * (192 * 768 + 768 + 768 * 192 + 192);
        QVERIFY2(view.sharingText().contains(QLocale().toString(card.parameter_count - mlp)), qPrintable(view.sharingText()));
        QSignalSpy share(&view, &ModelView::shareRequested);
        QTest::mouseClick(view.shareButton(), Qt::LeftButton);
        QCOMPARE(share.count(), 1);
        QCOMPARE(share.at(0).at(0).toString(), QStringLiteral("mlp"));
        view.setKeepBlocks(4);
        view.setKeepShare(1.0);  // everything kept: nothing to prune
        QVERIFY(!view.pruneButton()->isEnabled());
        view.setImportanceFailed(QStringLiteral("not in a run"));
        QCOMPARE(view.importanceText(), QStringLiteral("not in a run"));
    }

    void beforeAndAfterSideBySide() {
        ModelView view;
        view.resize(1100, 700);
        const ModelCard before = miniCard();  // 4 blocks of 3 heads
        ModelCard after = miniCard();
        after.path = QStringLiteral("/runs/words-blocks2-heads100/checkpoints/best.safetensors");
        after.options.depth = 2;
        const PaSSTModel smaller(after.options);
        after.parameters = smaller.parameters();
        after.parameter_count = smaller.parameterCount();
        after.cost = forwardCost(after.options, after.options.input_frames);
        view.setModel(after);
        QVERIFY(view.comparisonTable()->isHidden());
        view.setComparison(before);
        QVERIFY(!view.comparisonTable()->isHidden());
        QCOMPARE(view.comparisonTable()->item(1, 1)->text(), QStringLiteral("4"));  // blocks
        QCOMPARE(view.comparisonTable()->item(1, 2)->text(), QStringLiteral("2"));
        QCOMPARE(view.comparisonTable()->item(1, 3)->text(), QStringLiteral("-50.0%"));
        QCOMPARE(view.comparisonTable()->item(3, 2)->text(), QLocale().toString(static_cast<qlonglong>(after.parameter_count)));
        if (const QString shots = qEnvironmentVariable("PATCHOUT_SHOT_DIR"); !shots.isEmpty()) {
            view.showOptimise();
            QVERIFY(view.grab().save(QDir(shots).filePath(QStringLiteral("model-before-after.png"))));
        }
        view.setModel(before);  // another model: the comparison goes
        QVERIFY(view.comparisonTable()->isHidden());
    }

    void importanceStoredWithTheModelIsShownAtOnce() {
        ModelView view;
        ModelCard card = miniCard();
        const HeadScores stored = {{0.9, 0.3, 0.3}, {0.2, 0.95, 0.24}, {0.1, 0.5, 0.86}, {0.7, 0.7, 0.1}};
        card.metadata.emplace_back(QString::fromLatin1(kHeadImportanceKey), QString::fromStdString(headScoresToJson(stored)));
        view.setModel(card);
        view.setKeepShare(0.5);
        QCOMPARE(view.keptHeads().size(), 4u);  // no measuring needed
        QVERIFY2(view.importanceText().contains(QStringLiteral("stored with the model")), qPrintable(view.importanceText()));
        QVERIFY(view.pruneButton()->isEnabled());
        view.setModel(miniCard());  // another model: nothing stored, nothing shown
        QVERIFY(view.keptHeads().empty());
    }

    void shortCounts() {
        QCOMPARE(shortCount(950), QStringLiteral("950"));
        QCOMPARE(shortCount(86.1e6), QStringLiteral("86.1 M"));
        QCOMPARE(shortCount(2.345e9), QStringLiteral("2.35 G"));
        QCOMPARE(shortCount(1500), QStringLiteral("1.5 k"));
    }
};

PATCHOUT_REGISTER_QTEST(ModelViewTest);

#include "test_model_view.moc"
