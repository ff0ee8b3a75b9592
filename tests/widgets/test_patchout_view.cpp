// PatchoutView: the grid of each preset, the dropped patches drawn dark over the features, the
// kept count and cost in the summary, new draws on request, and a mask that cannot be drawn.
#include "qtest_registry.h"

#include "patchout/ui/patchout_view.h"

#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

using namespace patchout;
using patchout::ui::PatchGrid;
using patchout::ui::PatchoutView;

namespace {

// A loud, flat block: every kept cell is drawn in the top colour of the map.
Features flat(int frames) {
    Features f;
    f.n_bins = 128;
    f.n_frames = frames;
    f.data.assign(static_cast<std::size_t>(frames) * 128, 1.0f);
    f.db_per_unit = 0;
    return f;
}

// Answers the view's requests as the app does.
void serve(PatchoutView& view) {
    QObject::connect(&view, &PatchoutView::maskRequested, &view,
                     [&view](const PatchoutOptions& o, const PatchGrid& g, std::uint64_t seed) {
                         try {
                             view.setMask(drawPatchoutMask(o, g.freq_patches, g.time_patches, seed));
                         } catch (const std::exception& e) {
                             view.setMask({}, QString::fromUtf8(e.what()));
                         }
                     });
    QObject::connect(&view, &PatchoutView::specAugmentRequested, &view,
                     [&view](const AugmentOptions& a, int bins, int frames, std::uint64_t seed) {
                         view.setSpecAugmentMasks(drawSpecAugmentMasks(a, bins, frames, seed));
                     });
}

}  // namespace

class PatchoutViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gridOfThePresets() {
        const PatchGrid s = PatchGrid::of(passtPreset("passt-s"));
        QCOMPARE(s.freq_patches, 12);
        QCOMPARE(s.time_patches, 99);
        const PatchGrid micro = PatchGrid::of(passtPreset("passt-micro"));
        QCOMPARE(micro.time_patches, 9);
    }

    void darkensDroppedPatchesAndCountsTheRest() {
        PatchoutView view;
        serve(view);
        view.resize(1000, 500);
        view.setPresets({QStringLiteral("passt-s"), QStringLiteral("passt-micro")});
        // passt-s's own patchout: 40 time columns and 4 frequency rows of 12 x 99.
        QCOMPARE(view.options().s_patchout_t, 40);
        QCOMPARE(view.options().s_patchout_f, 4);
        QCOMPARE(view.mask().keptCount(0), (12 - 4) * (99 - 40));
        QVERIFY2(view.summary().contains(QStringLiteral("kept 472 patches (39.7%)")), qPrintable(view.summary()));
        // 472 patches and the two class tokens of 1188 + 2: (474 / 1190)^2 of the attention scores.
        QVERIFY2(view.summary().contains(QStringLiteral("474 tokens in the blocks instead of 1190")),
                 qPrintable(view.summary()));
        QVERIFY2(view.summary().contains(QStringLiteral("15.9%")), qPrintable(view.summary()));
        view.setFeatures(QStringLiteral("flat.wav"), flat(1200));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.canvas()->grab().toImage();
        int keptSeen = 0, droppedSeen = 0;
        for (int f = 0; f < 12; ++f)
            for (int t = 0; t < 99; t += 7) {
                const QRect cell = view.canvas()->cellRect(f, t);
                const QColor c = image.pixelColor(cell.center());
                if (view.mask().isKept(0, f, t)) {
                    QVERIFY2(c.lightness() > 120, qPrintable(c.name()));
                    ++keptSeen;
                } else {
                    QVERIFY2(c.lightness() < 90, qPrintable(c.name()));
                    ++droppedSeen;
                }
            }
        QVERIFY(keptSeen > 0 && droppedSeen > 0);
        // Draw again: a new seed, a new mask of the same size.
        const auto before = view.mask().kept;
        QSignalSpy requested(&view, &PatchoutView::maskRequested);
        const auto seed = view.seed();
        view.findChild<QPushButton*>()->click();
        QCOMPARE(requested.count(), 1);
        QCOMPARE(view.seed(), seed + 1);
        QVERIFY(view.mask().kept != before);
        QCOMPARE(view.mask().keptCount(0), 472);
    }

    void specAugmentBesidePatchoutZeroesBandsButKeepsEveryToken() {
        PatchoutView view;
        serve(view);
        view.resize(1400, 600);
        view.setPresets({QStringLiteral("passt-s"), QStringLiteral("passt-mini")});
        // The paper's proportions: up to 192 of 998 frames and 48 of 128 bins, one mask each.
        QCOMPARE(view.specAugmentOptions().time_masks, 1);
        QCOMPARE(view.specAugmentOptions().time_mask_frames, 192);
        QCOMPARE(view.specAugmentOptions().freq_mask_bins, 48);
        QCOMPARE(view.specAugmentMasks().time.size(), 1u);
        // Masks the app draws follow the view's settings and seed.
        AugmentOptions a = view.specAugmentOptions();
        a.time_masks = 3;
        a.time_mask_frames = 60;
        a.freq_masks = 0;
        view.setSpecAugmentOptions(a, QStringLiteral("as words-run trained"));
        QCOMPARE(view.specAugmentMasks().time.size(), 3u);
        QVERIFY(view.specAugmentMasks().freq.empty());
        const auto drawn = drawSpecAugmentMasks(a, 128, 998, view.seed());
        for (std::size_t i = 0; i < 3; ++i)
            QCOMPARE(view.specAugmentMasks().time[i].start, drawn.time[i].start);
        QVERIFY2(view.specAugmentSummary().contains(QStringLiteral("(as words-run trained)")),
                 qPrintable(view.specAugmentSummary()));
        // A run's settings stay when the grid changes.
        view.setPreset(QStringLiteral("passt-mini"));
        QCOMPARE(view.specAugmentOptions().time_masks, 3);

        // Known masks on passt-s: frames 0-25 (patch columns 0 and 1 whole) and bins 0-15 (row 0).
        view.setPreset(QStringLiteral("passt-s"));
        view.setFeatures(QStringLiteral("flat.wav"), flat(1200));
        SpecAugmentMasks known;
        known.time.push_back({0, 26});
        known.freq.push_back({0, 16});
        view.setSpecAugmentMasks(known);
        const QString text = view.specAugmentSummary();
        // (26 x 128 + 16 x 998 - 26 x 16) / (128 x 998) = 14.8%; 2 x 12 + 99 - 2 patches all zero.
        QVERIFY2(text.contains(QStringLiteral("zeroes 14.8% of the block")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("all 1188 patches stay tokens (1190 in the blocks)")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("121 patch(es) of zeros")), qPrintable(text));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.specAugmentCanvas()->grab().toImage();
        const auto lightness = [&](int bin, int frame) {
            return image.pixelColor(view.specAugmentCanvas()->blockRect(bin, bin + 1, frame, frame + 1).center())
                .lightness();
        };
        QVERIFY(lightness(80, 10) < 110);   // under the time mask
        QVERIFY(lightness(5, 500) < 110);   // under the frequency mask
        QVERIFY(lightness(80, 500) > 120);  // neither: the flat block as is
        // The patchout canvas beside it shows no SpecAugment band there.
        const QImage patchoutImage = view.canvas()->grab().toImage();
        const QRect cell = view.canvas()->cellRect(8, 0);
        QCOMPARE(patchoutImage.pixelColor(cell.center()).lightness() > 120, view.mask().isKept(0, 8, 0));
    }

    void aMaskThatDropsEverythingIsExplained() {
        PatchoutView view;
        serve(view);
        view.setPresets({QStringLiteral("passt-micro")});
        QCOMPARE(view.grid().time_patches, 9);
        view.setOptions({.s_patchout_t = 9, .s_patchout_f = 0, .u_patchout = 0});
        QCOMPARE(view.mask().masks(), 0);
        QVERIFY2(view.summary().contains(QStringLiteral("color:#c0392b")), qPrintable(view.summary()));
        view.setOptions({.s_patchout_t = 0, .s_patchout_f = 0, .u_patchout = 5});
        QCOMPARE(view.mask().keptCount(0), 12 * 9 - 5);
    }

    void measuringDrawsTheAnswerAgainstThePatchesKept() {
        PatchoutView view;
        QVERIFY(!view.measureButton()->isEnabled());  // no model
        QVERIFY(view.robustnessText().contains(QStringLiteral("Load a model")));
        view.setModelName(QStringLiteral("words.safetensors"));
        QVERIFY(view.measureButton()->isEnabled());
        QSignalSpy asked(&view, &PatchoutView::robustnessRequested);
        view.measureButton()->click();
        QCOMPARE(asked.count(), 1);
        QVERIFY(!view.measureButton()->isEnabled());  // until the answer
        patchout::PatchoutRobustness r;
        r.label = "seven";
        r.full_score = 0.9f;
        r.patches = 100;
        r.points = {{.drop_share = 0, .kept_patches = 100, .same_top_share = 1, .mean_score = 0.9, .min_score = 0.9, .max_score = 0.9},
                    {.drop_share = 0.5, .kept_patches = 50, .same_top_share = 0.75, .mean_score = 0.6, .min_score = 0.3, .max_score = 0.8},
                    {.drop_share = 0.9, .kept_patches = 10, .same_top_share = 0.25, .mean_score = 0.2, .min_score = 0.1, .max_score = 0.5}};
        r.shown_scored = true;
        r.shown_kept = 64;
        r.shown_label = "seven";
        r.shown_score = 0.7f;
        view.setRobustness(r);
        QVERIFY(view.measureButton()->isEnabled());
        QCOMPARE(view.scoreSeries()->count(), 3);
        QCOMPARE(view.scoreSeries()->at(1), QPointF(0.5, 0.6));
        QCOMPARE(view.sameTopSeries()->at(2), QPointF(0.1, 0.25));
        QCOMPARE(view.shownMaskSeries()->count(), 1);
        QCOMPARE(view.shownMaskSeries()->at(0), QPointF(0.64, static_cast<double>(0.7f)));
        QVERIFY2(view.robustnessText().contains(QStringLiteral("50 of 100 patches kept: it stays on top under 75% of the masks")),
                 qPrintable(view.robustnessText()));
        r.shown_scored = false;
        view.setRobustness(r);
        QCOMPARE(view.shownMaskSeries()->count(), 0);
        QVERIFY(view.robustnessText().contains(QStringLiteral("another grid")));
        // A second model beside it: dashed, named, in the text.
        QSignalSpy beside(&view, &PatchoutView::comparisonModelRequested);
        view.compareButton()->click();
        QCOMPARE(beside.count(), 1);
        r.label = "six";
        view.setComparisonRobustness(r, QStringLiteral("no-patchout.safetensors"));
        QCOMPARE(view.comparisonScoreSeries()->count(), 3);
        QCOMPARE(view.comparisonSameTopSeries()->at(1), QPointF(0.5, 0.75));
        QCOMPARE(view.comparisonScoreSeries()->pen().style(), Qt::DashLine);
        QVERIFY2(view.robustnessText().contains(QStringLiteral("Beside it, no-patchout.safetensors answers <b>six</b>")),
                 qPrintable(view.robustnessText()));
        view.setRobustness(r);  // a new measurement clears the second model's lines until they come
        QCOMPARE(view.comparisonScoreSeries()->count(), 0);
        view.setRobustnessError(QStringLiteral("Cannot measure: no file"));
        QVERIFY(view.robustnessText().contains(QStringLiteral("no file")));
    }
};

PATCHOUT_REGISTER_QTEST(PatchoutViewTest);

#include "test_patchout_view.moc"
