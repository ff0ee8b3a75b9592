// The workbench's persistent settings, typed and with defaults, read from and written to QSettings
// (organisation "Patchout", application "Workbench"). Load once at start-up, save on change.
#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace patchout::ui {

struct WorkbenchSettings {
    QString audio_device;         // input device name; empty = the system default
    int threads = 1;              // LibTorch intra-op threads
    // Where models run: "auto" (a CUDA GPU when this LibTorch has one and sees it, else the CPU),
    // "cpu" or "cuda" (an error where CUDA is not usable), as the CLI's --device.
    QString compute_device = QStringLiteral("auto");
    QString colour_map = QStringLiteral("viridis");
    double range_db = 80.0;
    QString feature_preset = QStringLiteral("passt-32k");
    QStringList recent_files;     // most recent first
    QString recording_folder;     // empty = defaultRecordingFolder()
    QString language;             // "" = the system's; else a language code ("en", "de")

    static constexpr int kMaxRecentFiles = 10;

    static WorkbenchSettings load(QSettings& settings);
    void save(QSettings& settings) const;
    // Puts `path` first in recent_files, without duplicates, at most kMaxRecentFiles.
    void addRecentFile(const QString& path);
    QString recordingFolder() const;
    static QString defaultRecordingFolder();
};

// Languages the workbench is translated into (codes of the translations built into the program,
// under :/i18n), besides English, which needs none.
QStringList translationLanguages();
// Installs the workbench's and Qt's own translations for `language` ("" = the system's locale) on
// the running application; must run before the first window is built. English installs nothing.
// False when the workbench has no translation for that language (it then stays English).
bool installTranslations(const QString& language);

}  // namespace patchout::ui
