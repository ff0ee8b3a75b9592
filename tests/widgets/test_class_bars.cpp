// ClassBars: a LiveUpdate becomes the drawn state (labels, background, quiet input), and the bars
// are drawn to scale with the threshold marked.
#include "qtest_registry.h"

#include "patchout/ui/class_bars.h"

#include <QTest>

#include <cmath>

using patchout::LiveUpdate;
using patchout::ui::ClassBars;
using patchout::ui::ClassBarsState;

namespace {

QString word(int cls) {
    static const QStringList words{QStringLiteral("zero"), QStringLiteral("one"), QStringLiteral("two")};
    return words.value(cls, QStringLiteral("?"));
}

}  // namespace

class ClassBarsTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stateFromUpdate() {
        LiveUpdate u;
        u.top = {{2, 0.8f}, {0, 0.3f}, {1, 1.5f}};  // a score above 1 is drawn full, not beyond
        u.best = 2;
        u.latency_ms = 12.5;
        u.level_db = -20;
        u.time_s = 3.25;
        const ClassBarsState s = ClassBarsState::fromUpdate(u, word, 0.5);
        QCOMPARE(s.labels, (QStringList{QStringLiteral("two"), QStringLiteral("zero"), QStringLiteral("one")}));
        QCOMPARE(s.scores.size(), std::size_t{3});
        QCOMPARE(s.scores[2], 1.0f);
        QCOMPARE(s.active, QStringLiteral("two"));
        QVERIFY(!s.background);
        QCOMPARE(s.latency_ms, 12.5);
        u.best = patchout::kBackgroundClass;
        u.silent = true;
        const ClassBarsState quiet = ClassBarsState::fromUpdate(u, word, 0.5);
        QVERIFY(quiet.background);
        QVERIFY(quiet.silent);
        QCOMPARE(quiet.active, QStringLiteral("background"));
    }

    void drawsBarsToScaleWithTheThreshold() {
        ClassBars bars;
        bars.resize(300, 240);
        QVERIFY(!bars.hasState());
        bars.setModelName(QStringLiteral("words.safetensors"));
        ClassBarsState s;
        s.labels = {QStringLiteral("seven"), QStringLiteral("six")};
        s.scores = {0.8f, 0.3f};
        s.threshold = 0.5;
        s.active = QStringLiteral("seven");
        s.background = false;
        bars.showState(s);
        QVERIFY(bars.hasState());
        const QImage image = bars.grab().toImage();
        const QRect first = bars.barRect(0), second = bars.barRect(1);
        QVERIFY(first.width() > 100);
        QVERIFY(second.top() > first.bottom());
        const int y1 = first.center().y(), y2 = second.center().y();
        auto at = [&](const QRect& r, double fraction, int y) {
            return image.pixelColor(r.left() + static_cast<int>(std::lround(fraction * r.width())), y);
        };
        // 0.8 >= threshold: green up to 80% of the bar, the empty track after it.
        QVERIFY2(at(first, 0.7, y1).green() > 150, qPrintable(at(first, 0.7, y1).name()));
        QCOMPARE(at(first, 0.9, y1), QColor(60, 60, 60));
        // 0.3 < threshold: blue up to 30%.
        const QColor below = at(second, 0.25, y2);
        QVERIFY2(below.blue() > below.green() && below.blue() > 150, qPrintable(below.name()));
        QCOMPARE(at(second, 0.4, y2), QColor(60, 60, 60));
        // The threshold line (red) crosses the rows at 50%.
        int red = 0;  // a dashed line: count its pixels along the column
        const int tx = first.left() + first.width() / 2;
        for (int y = first.top(); y <= second.bottom(); ++y)
            for (int dx = -1; dx <= 1; ++dx) {
                const QColor c = image.pixelColor(tx + dx, y);
                red += c.red() > 180 && c.green() < 90 && c.blue() < 90;
            }
        QVERIFY2(red > 10, qPrintable(QString::number(red)));
        bars.clear();
        QVERIFY(!bars.hasState());
        QCOMPARE(bars.modelName(), QStringLiteral("words.safetensors"));
    }
};

PATCHOUT_REGISTER_QTEST(ClassBarsTest);
#include "test_class_bars.moc"
