// bench_optimise's picture: test accuracy (with its 95% interval) against parameters, one point
// per variant, the target region of issue #17 shaded (>= 40% fewer parameters than the baseline,
// <= 1 point below its accuracy) and the points that are also >= 30% faster filled. Drawn with
// QPainter on an offscreen QGuiApplication where the build has Qt; without Qt, plotSweep says so.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#if __has_include(<QtGui/QPainter>)
#include <QtCore/QByteArray>
#include <QtGui/QFontMetricsF>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#define PATCHOUT_BENCH_PLOT 1
#endif

namespace patchout::bench {

struct SweepPoint {
    std::string name;
    double parameters = 0, ms = 0;  // per window
    double accuracy = 0, lo = 0, hi = 0;  // test accuracy and its interval, in [0, 1]
};

// The first point is the baseline. Throws std::runtime_error without Qt or when the PNG cannot be
// written.
inline void plotSweep(const std::filesystem::path& png, const std::vector<SweepPoint>& points, const std::string& title) {
#ifndef PATCHOUT_BENCH_PLOT
    (void)png;
    (void)points;
    (void)title;
    throw std::runtime_error("--plot needs the build with Qt (PATCHOUT_BUILD_GUI)");
#else
    if (points.empty())
        throw std::runtime_error("nothing to plot");
    if (QGuiApplication::instance() == nullptr && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "bench_optimise";
    static char* argv[] = {name, nullptr};
    static QGuiApplication* app = QGuiApplication::instance() ? nullptr : new QGuiApplication(argc, argv);
    (void)app;

    const int w = 960, h = 600, left = 80, right = 30, top = 50, bottom = 60;
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const SweepPoint& base = points.front();
    double xMax = 0, yMin = 1;
    for (const SweepPoint& s : points) {
        xMax = std::max(xMax, s.parameters);
        yMin = std::min(yMin, s.lo);
    }
    xMax *= 1.08;
    yMin = std::max(0.0, std::floor(yMin * 20) / 20);  // down to a multiple of 5 points
    const double yMax = 1.0;
    auto X = [&](double v) { return left + (w - left - right) * v / xMax; };
    auto Y = [&](double v) { return top + (h - top - bottom) * (yMax - v) / (yMax - yMin); };

    // Target region: at most 60% of the baseline's parameters, at most 1 point below its accuracy.
    p.fillRect(QRectF(QPointF(X(0), Y(yMax)), QPointF(X(0.6 * base.parameters), Y(base.accuracy - 0.01))),
               QColor(220, 240, 220));
    p.setPen(QPen(QColor(120, 120, 120), 1));
    p.drawRect(left, top, w - left - right, h - top - bottom);
    QFont font = p.font();
    font.setPixelSize(13);
    p.setFont(font);
    for (int i = 0; i <= 5; ++i) {  // axes' ticks
        const double xv = xMax * i / 5, yv = yMin + (yMax - yMin) * i / 5;
        p.drawText(QRectF(X(xv) - 40, h - bottom + 6, 80, 18), Qt::AlignCenter,
                   QString::number(xv / 1000.0, 'f', xMax > 5e6 ? 0 : 1) + "k");
        p.drawText(QRectF(4, Y(yv) - 9, left - 10, 18), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(100 * yv, 'f', 1) + "%");
    }
    p.drawText(QRectF(left, h - 26, w - left - right, 20), Qt::AlignCenter,
               "parameters (shaded: >= 40% fewer than the baseline at <= 1 point lost; filled: also >= 30% faster)");
    font.setPixelSize(15);
    font.setBold(true);
    p.setFont(font);
    p.drawText(QRectF(left, 10, w - left - right, 30), Qt::AlignCenter, QString::fromStdString(title));
    font.setPixelSize(12);
    font.setBold(false);
    p.setFont(font);
    const QColor colours[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44), QColor(148, 103, 189),
                              QColor(255, 127, 14), QColor(140, 86, 75), QColor(227, 119, 194), QColor(23, 190, 207),
                              QColor(127, 127, 127), QColor(188, 189, 34)};
    std::vector<QRectF> placed;  // labels drawn so far
    for (std::size_t i = 0; i < points.size(); ++i) {
        const SweepPoint& s = points[i];
        const QColor c = colours[i % (sizeof colours / sizeof colours[0])];
        p.setPen(QPen(c, 2));
        p.drawLine(QPointF(X(s.parameters), Y(s.lo)), QPointF(X(s.parameters), Y(s.hi)));
        const bool faster = base.ms > 0 && s.ms <= 0.7 * base.ms;
        p.setBrush(faster ? QBrush(c) : QBrush(Qt::white));
        p.drawEllipse(QPointF(X(s.parameters), Y(s.accuracy)), 5, 5);
        p.setPen(c.darker(130));
        const double change = base.ms > 0 ? 100 * (s.ms - base.ms) / base.ms : 0;
        const QString label = QString("%1 (%2%, %3% time)")
                                  .arg(QString::fromStdString(s.name))
                                  .arg(100 * s.accuracy, 0, 'f', 1)
                                  .arg(change >= 0 ? "+" + QString::number(change, 'f', 0) : QString::number(change, 'f', 0));
        // Right of the point, or left of it in the right third; moved down until it meets no label
        // drawn before it.
        const bool toLeft = X(s.parameters) > left + 0.62 * (w - left - right);
        const QFontMetricsF metrics(p.font());
        const double tw = metrics.horizontalAdvance(label), th = metrics.height();
        QRectF box(toLeft ? X(s.parameters) - 8 - tw : X(s.parameters) + 8, Y(s.accuracy) - th / 2, tw, th);
        for (bool clash = true; clash;) {
            clash = false;
            for (const QRectF& other : placed)
                if (other.intersects(box)) {
                    box.moveTop(other.bottom() + 1);
                    clash = true;
                }
        }
        placed.push_back(box);
        p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, label);
    }
    p.end();
    if (!image.save(QString::fromStdString(png.string()), "PNG"))
        throw std::runtime_error("cannot write " + png.string());
#endif
}

}  // namespace patchout::bench
