// patchout-workbench: the desktop workbench. `patchout-workbench FILE` opens FILE in the Listen
// view (what `patchout demo` runs); --synthetic starts a built-in signal; --screenshot PATH grabs
// the main window once the content is shown, writes PATH (PNG) and quits (for tests and docs);
// --model loads a model file for live classification, --live-file streams a file as if live.
// --help and --version need no display; without one the program says how to get one and exits 1.
#include "patchout/system_info.h"
#include "main_window.h"

#include "patchout/ui/listen_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

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

// The names QSettings, the window title and --version use.
void describeApplication() {
    QCoreApplication::setOrganizationName(QStringLiteral("Patchout"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("patchout.org"));
    QCoreApplication::setApplicationName(QStringLiteral("Workbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PATCHOUT_VERSION));
}

// The language of Settings > Preferences (default: the system's), before any text is shown.
void installLanguage() {
    QSettings settings;
    patchout::ui::installTranslations(patchout::ui::WorkbenchSettings::load(settings).language);
}

struct Options {
    QCommandLineOption synthetic, liveFile, model, run, view, screenshot, delay, compare;
};

Options addOptions(QCommandLineParser& parser) {
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
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QApplication::translate("main", "Runs to show side by side in Train: a run folder, or a folder holding runs "
                                        "(repeat for more)"),
        QStringLiteral("dir"));
    parser.addOptions({synthetic, liveFile, model, run, view, screenshot, delay, compare});
    return {synthetic, liveFile, model, run, view, screenshot, delay, compare};
}

// Whether the arguments ask only for text (--help, --version), which needs no window system.
// (--help-all lists QApplication's options too, so it goes through QApplication when it can.)
bool asksForTextOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--")
            break;
        if (arg == "-h" || arg == "-?" || arg == "--help" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

// Whether a window system is named at all. Without one, QApplication's constructor aborts with a
// message about platform plugins that does not say what to do; only X11/Wayland systems need one.
bool displayNamed(int argc, char** argv) {
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN) && !defined(Q_OS_ANDROID)
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0')
            return true;
    }
    for (int i = 1; i < argc; ++i)  // Qt's own -platform NAME
        if (std::strcmp(argv[i], "-platform") == 0 || std::strcmp(argv[i], "--platform") == 0)
            return true;
    return false;
#else
    (void)argc;
    (void)argv;
    return true;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    if (asksForTextOnly(argc, argv) || !displayNamed(argc, argv)) {
        // Answered by a QCoreApplication, which needs no display: --help, --version, bad options
        // (each exits in process()) and the missing display.
        QCoreApplication app(argc, argv);
        describeApplication();
        installLanguage();
        QCommandLineParser parser;
        addOptions(parser);
        parser.process(app);
        if (!displayNamed(argc, argv)) {
            std::fprintf(stderr, "%s\n",
                         qPrintable(QCoreApplication::translate(
                             "main", "patchout-workbench: no display (DISPLAY, WAYLAND_DISPLAY and "
                                     "QT_QPA_PLATFORM are unset): run it as `xvfb-run -a "
                                     "patchout-workbench ...` or with QT_QPA_PLATFORM=offscreen")));
            return 1;
        }
    }
    QApplication app(argc, argv);
    describeApplication();
    QApplication::setApplicationDisplayName(QStringLiteral("Patchout Workbench"));
    QApplication::setDesktopFileName(QStringLiteral("org.patchout.Workbench"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("org.patchout.Workbench"),
                                                 QIcon(QStringLiteral(":/icons/org.patchout.Workbench.png"))));
    installLanguage();

    QCommandLineParser parser;
    const auto [synthetic, liveFile, model, run, view, screenshot, delay, compare] = addOptions(parser);
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
    QObject::connect(&window, &MainWindow::comparisonFailed, &window,
                     [](const QString& message) { std::fprintf(stderr, "%s\n", qPrintable(message)); });
    if (parser.isSet(compare) && !window.compareRuns(parser.values(compare)))
        return 2;  // the reason was printed (comparisonFailed)
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
