#include "workbench_settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>
#include <QTranslator>

#include <algorithm>

namespace patchout::ui {

WorkbenchSettings WorkbenchSettings::load(QSettings& s) {
    WorkbenchSettings w;
    w.audio_device = s.value(QStringLiteral("audio/device"), w.audio_device).toString();
    w.threads = std::max(1, s.value(QStringLiteral("performance/threads"), w.threads).toInt());
    const QString device = s.value(QStringLiteral("performance/device"), w.compute_device).toString();
    if (device == QLatin1String("cpu") || device == QLatin1String("cuda"))
        w.compute_device = device;  // anything else: auto
    w.colour_map = s.value(QStringLiteral("display/colour_map"), w.colour_map).toString();
    w.range_db = std::clamp(s.value(QStringLiteral("display/range_db"), w.range_db).toDouble(), 20.0, 160.0);
    w.feature_preset = s.value(QStringLiteral("display/feature_preset"), w.feature_preset).toString();
    w.recent_files = s.value(QStringLiteral("files/recent")).toStringList();
    while (w.recent_files.size() > kMaxRecentFiles)
        w.recent_files.removeLast();
    w.recording_folder = s.value(QStringLiteral("recording/folder")).toString();
    w.language = s.value(QStringLiteral("display/language")).toString();
    return w;
}

void WorkbenchSettings::save(QSettings& s) const {
    s.setValue(QStringLiteral("audio/device"), audio_device);
    s.setValue(QStringLiteral("performance/threads"), threads);
    s.setValue(QStringLiteral("performance/device"), compute_device);
    s.setValue(QStringLiteral("display/colour_map"), colour_map);
    s.setValue(QStringLiteral("display/range_db"), range_db);
    s.setValue(QStringLiteral("display/feature_preset"), feature_preset);
    s.setValue(QStringLiteral("files/recent"), recent_files);
    s.setValue(QStringLiteral("recording/folder"), recording_folder);
    s.setValue(QStringLiteral("display/language"), language);
}

void WorkbenchSettings::addRecentFile(const QString& path) {
    recent_files.removeAll(path);
    recent_files.prepend(path);
    while (recent_files.size() > kMaxRecentFiles)
        recent_files.removeLast();
}

QString WorkbenchSettings::recordingFolder() const {
    return recording_folder.isEmpty() ? defaultRecordingFolder() : recording_folder;
}

QString WorkbenchSettings::defaultRecordingFolder() {
    QString base = QStandardPaths::writableLocation(QStandardPaths::MusicLocation);
    if (base.isEmpty())
        base = QDir::homePath();
    return QDir(base).filePath(QStringLiteral("Patchout recordings"));
}

QStringList translationLanguages() {
    QStringList codes;
    const QString prefix = QStringLiteral("patchout_workbench_");
    for (const QString& file : QDir(QStringLiteral(":/i18n")).entryList({prefix + QStringLiteral("*.qm")}, QDir::Files))
        codes << file.mid(prefix.size()).chopped(3);
    codes.sort();
    return codes;
}

bool installTranslations(const QString& language) {
    const QLocale locale = language.isEmpty() ? QLocale() : QLocale(language);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C)
        return true;
    auto* app = QCoreApplication::instance();
    auto* qt = new QTranslator(app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    auto* own = new QTranslator(app);
    if (!own->load(locale, QStringLiteral("patchout_workbench"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        return false;
    QCoreApplication::installTranslator(own);
    return true;
}

}  // namespace patchout::ui
