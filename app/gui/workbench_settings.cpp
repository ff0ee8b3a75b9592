#include "workbench_settings.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>

namespace patchout::ui {

WorkbenchSettings WorkbenchSettings::load(QSettings& s) {
    WorkbenchSettings w;
    w.audio_device = s.value(QStringLiteral("audio/device"), w.audio_device).toString();
    w.threads = std::max(1, s.value(QStringLiteral("performance/threads"), w.threads).toInt());
    w.colour_map = s.value(QStringLiteral("display/colour_map"), w.colour_map).toString();
    w.range_db = std::clamp(s.value(QStringLiteral("display/range_db"), w.range_db).toDouble(), 20.0, 160.0);
    w.feature_preset = s.value(QStringLiteral("display/feature_preset"), w.feature_preset).toString();
    w.recent_files = s.value(QStringLiteral("files/recent")).toStringList();
    while (w.recent_files.size() > kMaxRecentFiles)
        w.recent_files.removeLast();
    w.recording_folder = s.value(QStringLiteral("recording/folder")).toString();
    return w;
}

void WorkbenchSettings::save(QSettings& s) const {
    s.setValue(QStringLiteral("audio/device"), audio_device);
    s.setValue(QStringLiteral("performance/threads"), threads);
    s.setValue(QStringLiteral("display/colour_map"), colour_map);
    s.setValue(QStringLiteral("display/range_db"), range_db);
    s.setValue(QStringLiteral("display/feature_preset"), feature_preset);
    s.setValue(QStringLiteral("files/recent"), recent_files);
    s.setValue(QStringLiteral("recording/folder"), recording_folder);
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

}  // namespace patchout::ui
