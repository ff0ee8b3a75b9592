<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>main</name>
    <message>
        <source>Workbench for audio transformers trained with patchout</source>
        <translation>Werkbank für mit Patchout trainierte Audio-Transformer</translation>
    </message>
    <message>
        <source>Audio file to open in the Listen view</source>
        <translation>Audiodatei, die in der Ansicht „Hören“ geöffnet wird</translation>
    </message>
    <message>
        <source>Start the built-in synthetic source: chirp, sine or noise</source>
        <translation>Die eingebaute synthetische Quelle starten: chirp, sine oder noise</translation>
    </message>
    <message>
        <source>Write a PNG of the main window once the content is shown, then quit</source>
        <translation>Ein PNG des Hauptfensters schreiben, sobald der Inhalt angezeigt wird, dann beenden</translation>
    </message>
    <message>
        <source>Seconds to wait before the screenshot (default 0.5; with --synthetic, how long the source runs)</source>
        <translation>Sekunden bis zum Bildschirmfoto (Vorgabe 0.5; mit --synthetic: wie lange die Quelle läuft)</translation>
    </message>
    <message>
        <source>Stream an audio file in real time as if it were the microphone</source>
        <translation>Eine Audiodatei in Echtzeit abspielen, als käme sie vom Mikrofon</translation>
    </message>
    <message>
        <source>Model file for live classification (class bars beside the spectrogram)</source>
        <translation>Modelldatei für die Live-Klassifikation (Klassenbalken neben dem Spektrogramm)</translation>
    </message>
    <message>
        <source>Run folder to open: its curves in Train, its best model for live classification</source>
        <translation>Zu öffnender Lauf-Ordner: seine Kurven in Training, sein bestes Modell für die Live-Klassifikation</translation>
    </message>
    <message>
        <source>View to show first: listen, patchout, train, embeddings or evaluate</source>
        <translation>Zuerst gezeigte Ansicht: listen, patchout, train, embeddings oder evaluate</translation>
    </message>
</context>
<context>
    <name>patchout::ui::AudioPlayer</name>
    <message>
        <source>Cannot play on &apos;%1&apos; (%2): the cursor runs silently.</source>
        <translation>Wiedergabe auf „%1“ nicht möglich (%2): der Cursor läuft stumm.</translation>
    </message>
</context>
<context>
    <name>patchout::ui::AudioWorker</name>
    <message>
        <source>Cannot start the source: %1</source>
        <translation>Die Quelle kann nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>The audio stream stopped: %1</source>
        <translation>Der Audiostrom wurde beendet: %1</translation>
    </message>
    <message>
        <source>Start a live source before recording.</source>
        <translation>Vor der Aufnahme eine Live-Quelle starten.</translation>
    </message>
    <message>
        <source>Could not save the recording: %1</source>
        <translation>Die Aufnahme konnte nicht gespeichert werden: %1</translation>
    </message>
    <message>
        <source>Decoding %1</source>
        <translation>Dekodiere %1</translation>
    </message>
    <message>
        <source>Computing features</source>
        <translation>Berechne Merkmale</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Cannot use %1 for live classification: %2</source>
        <translation>%1 kann nicht für die Live-Klassifikation verwendet werden: %2</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ClassBars</name>
    <message>
        <source>background</source>
        <translation>Hintergrund</translation>
    </message>
    <message>
        <source>Live classification: smoothed scores of the top classes; the red line is the threshold a class must reach to be shown as heard.</source>
        <translation>Live-Klassifikation: geglättete Werte der besten Klassen; die rote Linie ist die Schwelle, die eine Klasse erreichen muss, um als gehört zu gelten.</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>listening...</source>
        <translation>hört zu …</translation>
    </message>
    <message>
        <source>%1 (quiet)</source>
        <translation>%1 (leise)</translation>
    </message>
    <message>
        <source>latency %1 ms  ·  level %2 dBFS</source>
        <translation>Latenz %1 ms  ·  Pegel %2 dBFS</translation>
    </message>
    <message>
        <source>threshold %1  ·  t = %2 s</source>
        <translation>Schwelle %1  ·  t = %2 s</translation>
    </message>
    <message>
        <source>No model loaded (Listen &gt; Load model…, Ctrl+M)</source>
        <translation>Kein Modell geladen (Hören &gt; Modell laden…, Strg+M)</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ConfusionMatrixView</name>
    <message>
        <source>Rows: true class; columns: predicted class. Colour: share of the row. Click a row to show its class&apos;s curves.</source>
        <translation>Zeilen: wahre Klasse; Spalten: vorhergesagte Klasse. Farbe: Anteil an der Zeile. Ein Klick auf eine Zeile zeigt die Kurven ihrer Klasse.</translation>
    </message>
    <message>
        <source>true %1, predicted %2: %3 clips (%4 of %1)</source>
        <translation>wahr %1, vorhergesagt %2: %3 Clips (%4 von %1)</translation>
    </message>
    <message>
        <source>No confusion matrix (multi-label evaluation)</source>
        <translation>Keine Konfusionsmatrix (Multi-Label-Auswertung)</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>vorhergesagt</translation>
    </message>
    <message>
        <source>true</source>
        <translation>wahr</translation>
    </message>
</context>
<context>
    <name>patchout::ui::EmbeddingsView</name>
    <message>
        <source>Click a point: its nearest neighbours in the full embedding space</source>
        <translation>Klicken Sie auf einen Punkt: seine nächsten Nachbarn im vollen Embedding-Raum</translation>
    </message>
    <message>
        <source>Cosine similarity, best first; double-click opens the file in Listen</source>
        <translation>Kosinus-Ähnlichkeit, beste zuerst; Doppelklick öffnet die Datei in Hören</translation>
    </message>
    <message>
        <source>No embeddings open.
Open a run folder with an embeddings/ folder (`patchout embed DIR --checkpoint RUN/checkpoints/best.safetensors --out RUN/embeddings`, or `patchout demo`).</source>
        <translation>Keine Embeddings geöffnet.
Öffnen Sie einen Lauf-Ordner mit einem embeddings/-Ordner (`patchout embed DIR --checkpoint RUN/checkpoints/best.safetensors --out RUN/embeddings` oder `patchout demo`).</translation>
    </message>
    <message>
        <source>(no label)</source>
        <translation>(ohne Label)</translation>
    </message>
    <message>
        <source>selected</source>
        <translation>ausgewählt</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 embeddings of %2 dimensions, %3 labels</source>
        <translation>%1 Embeddings mit %2 Dimensionen, %3 Labels</translation>
    </message>
    <message>
        <source>; no 2-D map (projection.tsv): `patchout embed --projection tsne` makes one</source>
        <translation>; keine 2-D-Karte (projection.tsv): `patchout embed --projection tsne` erstellt eine</translation>
    </message>
    <message>
        <source>Nearest to %1 (%2):</source>
        <translation>Am nächsten zu %1 (%2):</translation>
    </message>
    <message>
        <source>%1  %2 (%3)</source>
        <translation>%1  %2 (%3)</translation>
    </message>
</context>
<context>
    <name>patchout::ui::EvaluateView</name>
    <message>
        <source>false positive rate</source>
        <translation>Falsch-positiv-Rate</translation>
    </message>
    <message>
        <source>true positive rate</source>
        <translation>Richtig-positiv-Rate</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>Präzision</translation>
    </message>
    <message>
        <source>Class whose one-against-the-rest curves are shown</source>
        <translation>Klasse, deren Eine-gegen-alle-Kurven gezeigt werden</translation>
    </message>
    <message>
        <source>Class:</source>
        <translation>Klasse:</translation>
    </message>
    <message>
        <source>class</source>
        <translation>Klasse</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>support</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>ROC-AUC</source>
        <translation>ROC-AUC</translation>
    </message>
    <message>
        <source>AP</source>
        <translation>AP</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>true</source>
        <translation>wahr</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>vorhergesagt</translation>
    </message>
    <message>
        <source>score</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>score of the true class</source>
        <translation>Wert der wahren Klasse</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>Je Klasse</translation>
    </message>
    <message>
        <source>Most confident failures</source>
        <translation>Sicherste Fehler</translation>
    </message>
    <message>
        <source>No evaluation open.
Open a run folder whose eval/ folder `patchout eval --out RUN/eval` (or `patchout demo`) wrote.</source>
        <translation>Keine Auswertung geöffnet.
Öffnen Sie einen Lauf-Ordner, dessen eval/-Ordner `patchout eval --out RUN/eval` (oder `patchout demo`) geschrieben hat.</translation>
    </message>
    <message>
        <source>%1 clips, %2 classes</source>
        <translation>%1 Clips, %2 Klassen</translation>
    </message>
    <message>
        <source>, mAP %1, macro ROC-AUC %2, subset accuracy %3</source>
        <translation>, mAP %1, Makro-ROC-AUC %2, Teilmengen-Genauigkeit %3</translation>
    </message>
    <message>
        <source>, accuracy %1, balanced accuracy %2, macro F1 %3, macro ROC-AUC %4, mAP %5</source>
        <translation>, Genauigkeit %1, balancierte Genauigkeit %2, Makro-F1 %3, Makro-ROC-AUC %4, mAP %5</translation>
    </message>
    <message>
        <source>ROC of %1 (AUC %2)</source>
        <translation>ROC von %1 (AUC %2)</translation>
    </message>
    <message>
        <source>Precision-recall of %1 (AP %2)</source>
        <translation>Präzision-Recall von %1 (AP %2)</translation>
    </message>
</context>
<context>
    <name>patchout::ui::LevelMeter</name>
    <message>
        <source>Input level (dBFS): bar = RMS, tick = peak. Click to clear the clip mark.</source>
        <translation>Eingangspegel (dBFS): Balken = RMS, Strich = Spitze. Klicken löscht die Übersteuerungsmarke.</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ListenView</name>
    <message>
        <source>Where the audio comes from</source>
        <translation>Woher das Audio kommt</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <source>Play or pause the file (Space)</source>
        <translation>Datei abspielen oder anhalten (Leertaste)</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Aufnehmen</translation>
    </message>
    <message>
        <source>Record the live input to a WAV file</source>
        <translation>Den Live-Eingang in eine WAV-Datei aufnehmen</translation>
    </message>
    <message>
        <source>Log-mel (PaSST)</source>
        <translation>Log-Mel (PaSST)</translation>
    </message>
    <message>
        <source>Mel, dB</source>
        <translation>Mel, dB</translation>
    </message>
    <message>
        <source>Linear, dB</source>
        <translation>Linear, dB</translation>
    </message>
    <message>
        <source>Frequency scale of the spectrogram</source>
        <translation>Frequenzskala des Spektrogramms</translation>
    </message>
    <message>
        <source> dB</source>
        <translation> dB</translation>
    </message>
    <message>
        <source>Dynamic range shown below the loudest point</source>
        <translation>Dargestellter Dynamikumfang unterhalb des lautesten Punkts</translation>
    </message>
    <message>
        <source>Colour map</source>
        <translation>Farbskala</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>Frequency:</source>
        <translation>Frequenz:</translation>
    </message>
    <message>
        <source>Range:</source>
        <translation>Umfang:</translation>
    </message>
    <message>
        <source>Colours:</source>
        <translation>Farben:</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>Pegel:</translation>
    </message>
    <message>
        <source>Microphone: %1</source>
        <translation>Mikrofon: %1</translation>
    </message>
    <message>
        <source> (default)</source>
        <translation> (Standard)</translation>
    </message>
    <message>
        <source>No audio input device found</source>
        <translation>Kein Audio-Eingabegerät gefunden</translation>
    </message>
    <message>
        <source>Audio file…</source>
        <translation>Audiodatei …</translation>
    </message>
    <message>
        <source>Synthetic: chirp 100 Hz - 12 kHz / s</source>
        <translation>Synthetisch: Chirp 100 Hz - 12 kHz / s</translation>
    </message>
    <message>
        <source>Synthetic: sine 1 kHz</source>
        <translation>Synthetisch: Sinus 1 kHz</translation>
    </message>
    <message>
        <source>Synthetic: white noise</source>
        <translation>Synthetisch: weißes Rauschen</translation>
    </message>
    <message>
        <source>No audio input device found: open an audio file or use the synthetic source.</source>
        <translation>Kein Audio-Eingabegerät gefunden: eine Audiodatei öffnen oder die synthetische Quelle verwenden.</translation>
    </message>
    <message>
        <source>%1 — %2 s, %3 bins</source>
        <translation>%1 — %2 s, %3 Bänder</translation>
    </message>
    <message>
        <source>Live: %1</source>
        <translation>Live: %1</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 / %2 s</source>
        <translation>%1 / %2 s</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen …</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
</context>
<context>
    <name>patchout::ui::MainWindow</name>
    <message>
        <source>Patchout Workbench</source>
        <translation>Patchout Workbench</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Hören</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the running job (Esc)</source>
        <translation>Die laufende Aufgabe beenden (Esc)</translation>
    </message>
    <message>
        <source>Listening to %1</source>
        <translation>Höre %1</translation>
    </message>
    <message>
        <source>Live input stopped</source>
        <translation>Live-Eingang beendet</translation>
    </message>
    <message>
        <source>Recording to %1</source>
        <translation>Nehme auf nach %1</translation>
    </message>
    <message>
        <source>Saved %1 s of audio to %2</source>
        <translation>%1 s Audio gespeichert in %2</translation>
    </message>
    <message>
        <source>Open audio</source>
        <translation>Audio öffnen</translation>
    </message>
    <message>
        <source>Audio files (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aiff *.aif);;All files (*)</source>
        <translation>Audiodateien (*.wav *.flac *.ogg *.oga *.opus *.mp3 *.aiff *.aif);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>No audio output device: playing silently (cursor only)</source>
        <translation>Kein Audio-Ausgabegerät: stumme Wiedergabe (nur Cursor)</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Breche ab …</translation>
    </message>
    <message>
        <source>Open an audio file (Ctrl+O), drop one here, or start a source</source>
        <translation>Eine Audiodatei öffnen (Strg+O), hier ablegen oder eine Quelle starten</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open audio…</source>
        <translation>Audio ö&amp;ffnen …</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Listen</source>
        <translation>&amp;Hören</translation>
    </message>
    <message>
        <source>&amp;Start / stop live source</source>
        <translation>Live-Quelle &amp;starten / stoppen</translation>
    </message>
    <message>
        <source>&amp;Record live input</source>
        <translation>Live-Eingang &amp;aufnehmen</translation>
    </message>
    <message>
        <source>Rescan audio &amp;devices</source>
        <translation>Audio&amp;geräte neu suchen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>Ein&amp;stellungen …</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Patchout Workbench</source>
        <translation>&amp;Über Patchout Workbench</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>Wait for the running job or cancel it first</source>
        <translation>Erst die laufende Aufgabe abwarten oder abbrechen</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>Öffne %1</translation>
    </message>
    <message>
        <source>%1 — Patchout Workbench</source>
        <translation>%1 — Patchout Workbench</translation>
    </message>
    <message>
        <source>%1: %2 s, %3 frames of %4 bins</source>
        <translation>%1: %2 s, %3 Frames mit %4 Bändern</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>No audio input device found: open an audio file or use the synthetic source.</source>
        <translation>Kein Audio-Eingabegerät gefunden: eine Audiodatei öffnen oder die synthetische Quelle verwenden.</translation>
    </message>
    <message>
        <source>Start a live source before recording</source>
        <translation>Vor der Aufnahme eine Live-Quelle starten</translation>
    </message>
    <message>
        <source>Cannot create the recording folder %1</source>
        <translation>Der Aufnahmeordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Qt: %1 (built with %2)</source>
        <translation>Qt: %1 (gebaut mit %2)</translation>
    </message>
    <message>
        <source>About Patchout Workbench</source>
        <translation>Über Patchout Workbench</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Patchout Workbench %1&lt;/h3&gt;&lt;p&gt;A workbench for audio transformers trained with patchout (PaSST).&lt;/p&gt;&lt;p style=&apos;font-family:monospace&apos;&gt;%2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Patchout Workbench %1&lt;/h3&gt;&lt;p&gt;Eine Werkbank für mit Patchout (PaSST) trainierte Audio-Transformer.&lt;/p&gt;&lt;p style=&apos;font-family:monospace&apos;&gt;%2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <source>No audio input device found</source>
        <translation>Kein Audio-Eingabegerät gefunden</translation>
    </message>
    <message>
        <source>Threads LibTorch may use for models</source>
        <translation>Threads, die LibTorch für Modelle verwenden darf</translation>
    </message>
    <message>
        <source>Audio input:</source>
        <translation>Audioeingang:</translation>
    </message>
    <message>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <source>a file is being opened</source>
        <translation>eine Datei wird geöffnet</translation>
    </message>
    <message>
        <source>a recording is running (it will be saved)</source>
        <translation>eine Aufnahme läuft (sie wird gespeichert)</translation>
    </message>
    <message>
        <source>the live input is running</source>
        <translation>der Live-Eingang läuft</translation>
    </message>
    <message>
        <source>Quit Patchout Workbench?</source>
        <translation>Patchout Workbench beenden?</translation>
    </message>
    <message>
        <source>Work is in progress: %1.
Stop it and quit?</source>
        <translation>Arbeit läuft: %1.
Anhalten und beenden?</translation>
    </message>
    <message>
        <source>Live classification with %1: start a live source</source>
        <translation>Live-Klassifikation mit %1: eine Live-Quelle starten</translation>
    </message>
    <message>
        <source>Load &amp;model for live classification…</source>
        <translation>&amp;Modell für die Live-Klassifikation laden…</translation>
    </message>
    <message>
        <source>Model for live classification</source>
        <translation>Modell für die Live-Klassifikation</translation>
    </message>
    <message>
        <source>Model files (*.safetensors)</source>
        <translation>Modelldateien (*.safetensors)</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>Auswertung</translation>
    </message>
    <message>
        <source>Open r&amp;un folder…</source>
        <translation>La&amp;uf-Ordner öffnen…</translation>
    </message>
    <message>
        <source>Open run folder</source>
        <translation>Lauf-Ordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Training</translation>
    </message>
    <message>
        <source>&amp;Evaluate</source>
        <translation>&amp;Auswertung</translation>
    </message>
    <message>
        <source>%1 (run)</source>
        <translation>%1 (Lauf)</translation>
    </message>
    <message>
        <source>Cannot open the run folder: %1</source>
        <translation>Der Lauf-Ordner lässt sich nicht öffnen: %1</translation>
    </message>
    <message>
        <source>The run has no evaluation yet: patchout eval --checkpoint RUN/checkpoints/best.safetensors --dataset DATA --out RUN/eval</source>
        <translation>Der Lauf hat noch keine Auswertung: patchout eval --checkpoint RUN/checkpoints/best.safetensors --dataset DATA --out RUN/eval</translation>
    </message>
    <message>
        <source>Run %1: no checkpoint yet</source>
        <translation>Lauf %1: noch kein Checkpoint</translation>
    </message>
    <message>
        <source>Run %1: its best model classifies live sources in Listen</source>
        <translation>Lauf %1: sein bestes Modell klassifiziert Live-Quellen in Hören</translation>
    </message>
    <message>
        <source>Cannot show the evaluation: %1</source>
        <translation>Die Auswertung lässt sich nicht anzeigen: %1</translation>
    </message>
    <message>
        <source>Cannot read the run&apos;s curves: %1</source>
        <translation>Die Kurven des Laufs lassen sich nicht lesen: %1</translation>
    </message>
    <message>
        <source>Patchout</source>
        <translation>Patchout</translation>
    </message>
    <message>
        <source>&amp;Patchout</source>
        <translation>&amp;Patchout</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>Embeddings</translation>
    </message>
    <message>
        <source>Cannot search the neighbours: %1</source>
        <translation>Die Nachbarn lassen sich nicht suchen: %1</translation>
    </message>
    <message>
        <source>E&amp;mbeddings</source>
        <translation>E&amp;mbeddings</translation>
    </message>
    <message>
        <source>Cannot show the embeddings: %1</source>
        <translation>Die Embeddings lassen sich nicht anzeigen: %1</translation>
    </message>
</context>
<context>
    <name>patchout::ui::PatchoutCanvas</name>
    <message>
        <source>Open an audio file (File &gt; Open audio…): its log-mel appears here under the model&apos;s patch grid.</source>
        <translation>Öffnen Sie eine Audiodatei (Datei &gt; Audio öffnen…): ihr Log-Mel erscheint hier unter dem Patch-Raster des Modells.</translation>
    </message>
</context>
<context>
    <name>patchout::ui::PatchoutView</name>
    <message>
        <source>The model whose patch grid is shown</source>
        <translation>Das Modell, dessen Patch-Raster gezeigt wird</translation>
    </message>
    <message>
        <source>Whole time columns of patches dropped (s_patchout_t)</source>
        <translation>Ganze Zeitspalten verworfener Patches (s_patchout_t)</translation>
    </message>
    <message>
        <source>Whole frequency rows of patches dropped (s_patchout_f)</source>
        <translation>Ganze Frequenzzeilen verworfener Patches (s_patchout_f)</translation>
    </message>
    <message>
        <source>Single patches dropped after that (u_patchout)</source>
        <translation>Danach verworfene einzelne Patches (u_patchout)</translation>
    </message>
    <message>
        <source>Seed of the random draw</source>
        <translation>Startwert der Zufallsziehung</translation>
    </message>
    <message>
        <source>Draw again</source>
        <translation>Neu ziehen</translation>
    </message>
    <message>
        <source>A new random mask with the same settings (next seed)</source>
        <translation>Eine neue Zufallsmaske mit denselben Einstellungen (nächster Startwert)</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Time columns:</source>
        <translation>Zeitspalten:</translation>
    </message>
    <message>
        <source>Frequency rows:</source>
        <translation>Frequenzzeilen:</translation>
    </message>
    <message>
        <source>Single patches:</source>
        <translation>Einzelne Patches:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Startwert:</translation>
    </message>
    <message>
        <source>%1: %2 x %3 = %4 patches of %5 x %5 over %6 frames</source>
        <translation>%1: %2 x %3 = %4 Patches zu %5 x %5 über %6 Frames</translation>
    </message>
    <message>
        <source>&lt;br&gt;kept %1 patches (%2%): attention costs about %3% of the full grid (it grows with the square of the tokens), the rest of each block %2%</source>
        <translation>&lt;br&gt;%1 Patches behalten (%2%): die Attention kostet etwa %3% des vollen Rasters (sie wächst mit dem Quadrat der Tokens), der Rest jedes Blocks %2%</translation>
    </message>
</context>
<context>
    <name>patchout::ui::SpectrogramView</name>
    <message>
        <source>value %1</source>
        <translation>Wert %1</translation>
    </message>
    <message>
        <source>%1 dB re max</source>
        <translation>%1 dB unter Max.</translation>
    </message>
    <message>
        <source>%1 s   %2   %3</source>
        <translation>%1 s   %2   %3</translation>
    </message>
    <message>
        <source>No audio: choose a source above</source>
        <translation>Kein Audio: oben eine Quelle wählen</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
</context>
<context>
    <name>patchout::ui::TrainView</name>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>Genauigkeit (%)</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>Validierungsgenauigkeit</translation>
    </message>
    <message>
        <source>training (logged steps)</source>
        <translation>Training (protokollierte Schritte)</translation>
    </message>
    <message>
        <source>validation (per epoch)</source>
        <translation>Validierung (je Epoche)</translation>
    </message>
    <message>
        <source>validation accuracy</source>
        <translation>Validierungsgenauigkeit</translation>
    </message>
    <message>
        <source>best epoch</source>
        <translation>beste Epoche</translation>
    </message>
    <message>
        <source>No run open.
File &gt; Open run folder… (Ctrl+Shift+O) or drop a run folder on the window: the folder `patchout train --out` or `patchout demo` writes.</source>
        <translation>Kein Lauf geöffnet.
Datei &gt; Lauf-Ordner öffnen… (Strg+Umschalt+O) oder einen Lauf-Ordner auf das Fenster ziehen: den Ordner, den `patchout train --out` oder `patchout demo` schreibt.</translation>
    </message>
    <message>
        <source>epoch %1 of %2</source>
        <translation>Epoche %1 von %2</translation>
    </message>
    <message>
        <source>%1 epochs</source>
        <translation>%1 Epochen</translation>
    </message>
    <message>
        <source>, %1 steps</source>
        <translation>, %1 Schritte</translation>
    </message>
    <message>
        <source>, best validation accuracy %1% at epoch %2</source>
        <translation>, beste Validierungsgenauigkeit %1% in Epoche %2</translation>
    </message>
    <message>
        <source>, no validation clips</source>
        <translation>, keine Validierungs-Clips</translation>
    </message>
    <message>
        <source>, %1 s per epoch</source>
        <translation>, %1 s je Epoche</translation>
    </message>
    <message>
        <source>, nothing logged yet</source>
        <translation>, noch nichts protokolliert</translation>
    </message>
</context>
</TS>
