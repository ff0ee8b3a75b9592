// patchout-workbench: the desktop workbench. `patchout-workbench FILE` opens FILE in the Listen
// view (what `patchout demo` runs); --synthetic starts a built-in signal; --screenshot PATH grabs
// the main window once the content is shown, writes PATH (PNG) and quits (for tests and docs);
// --model loads a model file for live classification, --live-file streams a file as if live.
#include "patchout/system_info.h"
#include "main_window.h"

#include "patchout/ui/listen_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using patchout::ui::MainWindow;

namespace {

// Grabs `window` into `path` and quits with 0, or 1 when the picture could not be written.
void screenshotAndQuit(MainWindow* window, const QString& path) {
    window->repaint();
    const bool ok = window->grab().save(path, "PNG");
    if (!ok)
        std::fprintf(stderr, "patchout-workbench: could not write %s\n", qPrintable(path));
    QApplication::exit(ok ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Patchout"));
    QApplication::setOrganizationDomain(QStringLiteral("patchout.org"));
    QApplication::setApplicationName(QStringLiteral("Workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("Patchout Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(PATCHOUT_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.patchout.Workbench"));

    {
        // The language of Settings > Preferences (default: the system's), before any window.
        QSettings settings;
        patchout::ui::installTranslations(patchout::ui::WorkbenchSettings::load(settings).language);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Workbench for audio transformers trained with patchout"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QApplication::translate("main", "Audio file to open in the Listen view"),
                                 QStringLiteral("[file]"));
    const QCommandLineOption run(
        QStringLiteral("run"),
        QApplication::translate("main", "Run folder to open: its curves in Train, its best model for live classification"),
        QStringLiteral("dir"));
    const QCommandLineOption view(
        QStringLiteral("view"),
        QApplication::translate("main", "View to show first: listen, patchout, train, embeddings, evaluate or model"),
        QStringLiteral("name"));
    const QCommandLineOption synthetic(
        QStringLiteral("synthetic"),
        QApplication::translate("main", "Start the built-in synthetic source: chirp, sine or noise"),
        QStringLiteral("signal"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Write a PNG of the main window once the content is shown, then quit"),
        QStringLiteral("path"));
    const QCommandLineOption delay(
        QStringLiteral("screenshot-delay"),
        QApplication::translate("main", "Seconds to wait before the screenshot (default 0.5; "
                                        "with --synthetic, how long the source runs)"),
        QStringLiteral("seconds"), QStringLiteral("0.5"));
    const QCommandLineOption liveFile(
        QStringLiteral("live-file"),
        QApplication::translate("main", "Stream an audio file in real time as if it were the microphone"),
        QStringLiteral("path"));
    const QCommandLineOption model(
        QStringLiteral("model"),
        QApplication::translate("main", "Model file for live classification (class bars beside the spectrogram)"),
        QStringLiteral("path"));
    parser.addOptions({synthetic, liveFile, model, run, view, screenshot, delay});
    parser.process(app);

    MainWindow window;
    window.show();

    const QString shotPath = parser.isSet(screenshot) ? QFileInfo(parser.value(screenshot)).absoluteFilePath()
                                                      : QString();
    const int delayMs = static_cast<int>(parser.value(delay).toDouble() * 1000);
    if (!shotPath.isEmpty()) {
        auto shoot = [&window, shotPath, delayMs] {
            QTimer::singleShot(delayMs, &window, [&window, shotPath] { screenshotAndQuit(&window, shotPath); });
        };
        // The picture is taken once what the view shows is there: the file, the evaluation, the
        // embeddings.
        const bool fileFirst = !parser.positionalArguments().isEmpty() &&
                               !QFileInfo(parser.positionalArguments().constFirst()).isDir();
        const bool evaluationFirst = !fileFirst && parser.value(view) == QLatin1String("evaluate");
        const bool embeddingsFirst = !fileFirst && parser.value(view) == QLatin1String("embeddings");
        // With a model (--model, or a run's best) the file's timeline is waited for as well.
        const bool withModel = parser.isSet(model) || parser.isSet(run);
        if (fileFirst && withModel)
            QObject::connect(&window, &MainWindow::predictionsShown, &window, shoot);
        else if (fileFirst)
            QObject::connect(&window, &MainWindow::fileShown, &window, shoot);
        else if (evaluationFirst)
            QObject::connect(&window, &MainWindow::evaluationShown, &window, shoot);
        else if (embeddingsFirst)
            QObject::connect(&window, &MainWindow::embeddingsShown, &window, shoot);
        // A file or an evaluation that cannot be read still gives a picture (of the error), but a
        // failing exit.
        auto failed = [&window, shotPath] {
            QTimer::singleShot(200, &window, [&window, shotPath] {
                window.grab().save(shotPath, "PNG");
                QApplication::exit(2);
            });
        };
        QObject::connect(&window, &MainWindow::fileFailed, &window, failed);
        if (fileFirst && withModel)
            QObject::connect(&window, &MainWindow::predictionsFailed, &window, failed);
        if (evaluationFirst)
            QObject::connect(&window, &MainWindow::evaluationFailed, &window, failed);
        if (embeddingsFirst)
            QObject::connect(&window, &MainWindow::embeddingsFailed, &window, failed);
        if (!fileFirst && !evaluationFirst && !embeddingsFirst)
            shoot();
    }
    QObject::connect(&window, &MainWindow::runFailed, &window,
                     [](const QString& message) { std::fprintf(stderr, "%s\n", qPrintable(message)); });
    const QStringList positional = parser.positionalArguments();
    const bool positionalRun = !positional.isEmpty() && QFileInfo(positional.constFirst()).isDir();
    if (parser.isSet(run) || positionalRun) {
        window.openRun(parser.isSet(run) ? parser.value(run) : positional.constFirst());
        if (window.currentRun().isEmpty())
            return 2;  // the reason was printed (runFailed)
    }
    if (parser.isSet(model))
        window.loadModel(parser.value(model));
    if (parser.isSet(view)) {
        const QString name = parser.value(view);
        if (name == QLatin1String("listen"))
            window.showView(MainWindow::View::Listen);
        else if (name == QLatin1String("patchout"))
            window.showView(MainWindow::View::Patchout);
        else if (name == QLatin1String("train"))
            window.showView(MainWindow::View::Train);
        else if (name == QLatin1String("embeddings"))
            window.showView(MainWindow::View::Embeddings);
        else if (name == QLatin1String("evaluate"))
            window.showView(MainWindow::View::Evaluate);
        else if (name == QLatin1String("model"))
            window.showView(MainWindow::View::Model);
        else
            parser.showHelp(1);
    }

    if (parser.isSet(synthetic)) {
        const QString name = parser.value(synthetic);
        patchout::ui::SourceChoice choice;
        choice.kind = patchout::ui::SourceKind::Synthetic;
        if (name == QLatin1String("sine"))
            choice.signal = patchout::SignalKind::Sine;
        else if (name == QLatin1String("noise"))
            choice.signal = patchout::SignalKind::WhiteNoise;
        else if (name == QLatin1String("chirp"))
            choice.signal = patchout::SignalKind::Chirp;
        else
            parser.showHelp(1);
        QTimer::singleShot(0, &window, [&window, choice] { window.startLive(choice); });
    } else if (parser.isSet(liveFile)) {
        patchout::ui::SourceChoice choice;
        choice.kind = patchout::ui::SourceKind::File;
        choice.stream_path = QFileInfo(parser.value(liveFile)).absoluteFilePath().toStdString();
        QTimer::singleShot(0, &window, [&window, choice] { window.startLive(choice); });
    } else if (!positional.isEmpty() && !positionalRun) {
        const QString path = positional.constFirst();
        QTimer::singleShot(0, &window, [&window, path] { window.openAudio(path); });
    }
    return QApplication::exec();
}
