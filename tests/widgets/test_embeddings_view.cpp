// EmbeddingsView: one coloured series per label on the 2-D map, a click selects the nearest
// point's row and asks for its neighbours, the answer is listed (without the row itself), a
// double-click asks to open the file, and a folder without a map says so.
#include "qtest_registry.h"

#include "patchout/ui/embeddings_view.h"

#include <QListWidget>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>

using namespace patchout;
using patchout::ui::EmbeddingsView;

namespace {

// Nine clips, three labels, each label's points around its own corner of the map.
EmbeddingFolder nineClips(bool withMap) {
    EmbeddingFolder f;
    f.embeddings = {.rows = 9, .dim = 3, .data = {}};
    f.columns = {"file", "label"};
    const char* labels[] = {"cat", "dog", "owl"};
    for (int r = 0; r < 9; ++r) {
        const int c = r / 3;
        for (int d = 0; d < 3; ++d)
            f.embeddings.data.push_back(d == c ? 1.0f : 0.1f * static_cast<float>(r % 3));
        f.metadata.push_back({"/data/" + std::string(labels[c]) + std::to_string(r) + ".wav", labels[c]});
        if (withMap) {
            f.projection.data.push_back(10.0f * static_cast<float>(c) + static_cast<float>(r % 3));
            f.projection.data.push_back(static_cast<float>(c == 1 ? 10 : 0) + 0.5f * static_cast<float>(r % 3));
        }
    }
    if (withMap)
        f.projection = {.rows = 9, .dim = 2, .data = f.projection.data};
    return f;
}

}  // namespace

class EmbeddingsViewTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void seriesPerLabelAndSelection() {
        EmbeddingsView view;
        view.resize(900, 600);
        QVERIFY(!view.hasFolder());
        view.setFolder(QStringLiteral("words"), nineClips(true));
        QVERIFY(view.hasFolder());
        QCOMPARE(view.labelSeries().size(), 3);
        for (QScatterSeries* s : view.labelSeries())
            QCOMPARE(s->count(), 3);
        QCOMPARE(view.labelSeries().at(1)->name(), QStringLiteral("dog"));
        QVERIFY2(view.summary().contains(QStringLiteral("9 embeddings of 3 dimensions, 3 labels")),
                 qPrintable(view.summary()));
        // A click near dog #4's point selects row 4 and asks for its neighbours.
        QSignalSpy selected(&view, &EmbeddingsView::rowSelected);
        QScatterSeries* dogs = view.labelSeries().at(1);
        QCOMPARE(view.rowAt(dogs, QPointF(11.1, 10.4)), 4);
        Q_EMIT dogs->clicked(QPointF(11.1, 10.4));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).toInt(), 4);
        QCOMPARE(view.selectedRow(), 4);
        view.setNeighbours(4, {{.id = 4, .score = 1.0f}, {.id = 5, .score = 0.99f}, {.id = 3, .score = 0.97f}});
        QCOMPARE(view.neighbourList()->count(), 2);  // the row itself is left out
        QVERIFY2(view.neighbourList()->item(0)->text().contains(QStringLiteral("dog5.wav")),
                 qPrintable(view.neighbourList()->item(0)->text()));
        // An answer for an older selection is ignored.
        view.setNeighbours(7, {{.id = 8, .score = 0.5f}});
        QCOMPARE(view.neighbourList()->count(), 2);
        QSignalSpy open(&view, &EmbeddingsView::openFileRequested);
        Q_EMIT view.neighbourList()->itemDoubleClicked(view.neighbourList()->item(0));
        QCOMPARE(open.count(), 1);
        QCOMPARE(open.at(0).at(0).toString(), QStringLiteral("/data/dog5.wav"));
        view.clear();
        QVERIFY(!view.hasFolder());
        QCOMPARE(view.labelSeries().size(), 0);
    }

    void folderWithoutAMap() {
        EmbeddingsView view;
        view.setFolder(QStringLiteral("raw"), nineClips(false));
        QVERIFY2(view.summary().contains(QStringLiteral("no 2-D map")), qPrintable(view.summary()));
        QCOMPARE(view.labelSeries().at(0)->count(), 0);
        QSignalSpy selected(&view, &EmbeddingsView::rowSelected);
        view.selectRow(2);  // still selectable (from elsewhere), neighbours still asked for
        QCOMPARE(selected.count(), 1);
    }
};

PATCHOUT_REGISTER_QTEST(EmbeddingsViewTest);

#include "test_embeddings_view.moc"
