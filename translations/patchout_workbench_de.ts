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
        <source>View to show first: listen, patchout, train, embeddings, evaluate or model</source>
        <translation>Zuerst gezeigte Ansicht: listen, patchout, train, embeddings, evaluate oder model</translation>
    </message>
    <message>
        <source>patchout-workbench: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset): run it as `xvfb-run -a patchout-workbench ...` or with QT_QPA_PLATFORM=offscreen</source>
        <translation>patchout-workbench: keine Anzeige (DISPLAY, WAYLAND_DISPLAY und QT_QPA_PLATFORM sind nicht gesetzt): als `xvfb-run -a patchout-workbench ...` oder mit QT_QPA_PLATFORM=offscreen starten</translation>
    </message>
    <message>
        <source>Runs to show side by side in Train: a run folder, or a folder holding runs (repeat for more)</source>
        <translation>Läufe, die „Trainieren“ nebeneinander zeigt: ein Laufordner oder ein Ordner mit Läufen (für mehr wiederholen)</translation>
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
    <message>
        <source>file window %1 - %2 s</source>
        <translation>Datei-Fenster %1 - %2 s</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ConfusionMatrixView</name>
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
    <message>
        <source>Rows: true class; columns: predicted class. Colour: share of the row. Click a cell to list its clips and show its class&apos;s curves.</source>
        <translation>Zeilen: wahre Klasse; Spalten: vorhergesagte Klasse. Farbe: Anteil der Zeile. Ein Klick auf eine Zelle listet ihre Clips und zeigt die Kurven ihrer Klasse.</translation>
    </message>
    <message>
        <source>true %1, predicted %2: %3 clips here, %4 with the baseline (%5)</source>
        <translation>wahr %1, vorhergesagt %2: %3 Clips hier, %4 beim Vergleichsmodell (%5)</translation>
    </message>
    <message>
        <source>Rows: true class; columns: the classes said present at the thresholds. The diagonal counts the clips where their class was found, a cell beside it the clips of the row&apos;s class where the column&apos;s was said though it is not theirs. Click a cell to list its clips.</source>
        <translation>Zeilen: wahre Klasse; Spalten: die bei den Schwellenwerten als vorhanden genannten Klassen. Die Diagonale zählt die Clips, in denen ihre Klasse gefunden wurde, eine Zelle daneben die Clips der Zeilenklasse, in denen die Spaltenklasse genannt wurde, obwohl sie nicht zu ihnen gehört. Ein Klick auf eine Zelle listet ihre Clips.</translation>
    </message>
    <message>
        <source>%1 found in %2 clips</source>
        <translation>%1 in %2 Clips gefunden</translation>
    </message>
    <message>
        <source>true %1, %2 said though not theirs: %3 clips</source>
        <translation>wahr %1, %2 genannt, obwohl nicht dabei: %3 Clips</translation>
    </message>
    <message>
        <source>said present</source>
        <translation>als vorhanden genannt</translation>
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
    <message>
        <source>No embeddings open.
Open a run folder, then Run &gt; Embed run… embeds its dataset with its best model (`patchout embed --run RUN` does the same).</source>
        <translation>Keine Embeddings geöffnet.
Einen Lauf-Ordner öffnen; dann bettet Lauf &gt; Lauf einbetten… seinen Datensatz mit seinem besten Modell ein (`patchout embed --run RUN` tut dasselbe).</translation>
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
    <message>
        <source>No evaluation open.
Open a run folder, then Run &gt; Evaluate run… (Ctrl+E) scores its best model (`patchout eval --run RUN` does the same).</source>
        <translation>Keine Auswertung geöffnet.
Einen Lauf-Ordner öffnen; dann bewertet Lauf &gt; Lauf auswerten… (Strg+E) sein bestes Modell (`patchout eval --run RUN` tut dasselbe).</translation>
    </message>
    <message>
        <source>%1 clips (%2), %3 classes</source>
        <translation>%1 Clips (%2), %3 Klassen</translation>
    </message>
    <message>
        <source>the classical floor</source>
        <translation>die klassische Untergrenze</translation>
    </message>
    <message>
        <source>Against %1: %2</source>
        <translation>Gegen %1: %2</translation>
    </message>
    <message>
        <source>margin</source>
        <translation>Abstand</translation>
    </message>
    <message>
        <source>A right clip&apos;s lead over the runner-up class; a wrong clip&apos;s lead over its true class (small: nearly right)</source>
        <translation>Bei einem richtigen Clip der Vorsprung vor der zweitbesten Klasse; bei einem falschen der Vorsprung vor seiner wahren Klasse (klein: fast richtig)</translation>
    </message>
    <message>
        <source>this model</source>
        <translation>dieses Modell</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>Vergleichsmodell</translation>
    </message>
    <message>
        <source>change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>confidence (mean score in the bin)</source>
        <translation>Konfidenz (mittlerer Score im Intervall)</translation>
    </message>
    <message>
        <source>Clips of a cell</source>
        <translation>Clips einer Zelle</translation>
    </message>
    <message>
        <source>Reliability</source>
        <translation>Verlässlichkeit</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <source>Play the selected clip (Enter)</source>
        <translation>Den gewählten Clip abspielen (Eingabe)</translation>
    </message>
    <message>
        <source>Open in Listen</source>
        <translation>In „Hören“ öffnen</translation>
    </message>
    <message>
        <source>Show the selected clip in Listen: its spectrogram and the model&apos;s timeline (double-click)</source>
        <translation>Den gewählten Clip in „Hören“ zeigen: sein Spektrogramm und die Zeitleiste des Modells (Doppelklick)</translation>
    </message>
    <message>
        <source>Click a cell of the matrix to list its clips; select one to hear it.</source>
        <translation>Eine Zelle der Matrix anklicken, um ihre Clips zu listen; einen wählen, um ihn zu hören.</translation>
    </message>
    <message>
        <source>%1 called %2 (%3)</source>
        <translation>%1 als %2 erkannt (%3)</translation>
    </message>
    <message>
        <source>No reliability diagram: the scores are not probabilities</source>
        <translation>Kein Verlässlichkeitsdiagramm: die Scores sind keine Wahrscheinlichkeiten</translation>
    </message>
    <message>
        <source>Reliability of the %1 (%2 bins): expected calibration error %3, maximum %4</source>
        <translation>Verlässlichkeit der %1 (%2 Intervalle): erwarteter Kalibrierungsfehler %3, maximal %4</translation>
    </message>
    <message>
        <source>scores of every clip and class</source>
        <translation>Scores aller Clips und Klassen</translation>
    </message>
    <message>
        <source>top class</source>
        <translation>besten Klasse</translation>
    </message>
    <message>
        <source>Against %1</source>
        <translation>Gegen %1</translation>
    </message>
    <message>
        <source>&lt;p&gt;On the %1 clips both scored (%2 paired bootstrap resamples, %3% intervals):&lt;/p&gt;</source>
        <translation>&lt;p&gt;Auf den %1 Clips, die beide bewertet haben (%2 gepaarte Bootstrap-Stichproben, %3-%-Intervalle):&lt;/p&gt;</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <source>difference</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <source>interval</source>
        <translation>Intervall</translation>
    </message>
    <message>
        <source>&lt;p&gt;McNemar (%1): %2 clips only this model gets right, %3 only the baseline; p = %4.&lt;/p&gt;</source>
        <translation>&lt;p&gt;McNemar (%1): %2 Clips erkennt nur dieses Modell richtig, %3 nur das Vergleichsmodell; p = %4.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>exact binomial</source>
        <translation>exakt binomial</translation>
    </message>
    <message>
        <source>chi-square, continuity-corrected</source>
        <translation>Chi-Quadrat, stetigkeitskorrigiert</translation>
    </message>
    <message>
        <source>fixed</source>
        <translation>behoben</translation>
    </message>
    <message>
        <source>broken</source>
        <translation>verschlechtert</translation>
    </message>
    <message>
        <source>The baseline gets it wrong, this model right</source>
        <translation>Das Vergleichsmodell liegt falsch, dieses Modell richtig</translation>
    </message>
    <message>
        <source>The baseline gets it right, this model wrong</source>
        <translation>Das Vergleichsmodell liegt richtig, dieses Modell falsch</translation>
    </message>
    <message>
        <source>share right</source>
        <translation>Anteil richtig</translation>
    </message>
    <message>
        <source>Explain…</source>
        <translation>Erklären…</translation>
    </message>
    <message>
        <source>What the model looked at in the selected clip for the class it predicted: occlusion by patchout or attention rollout over its log-mel</source>
        <translation>Worauf das Modell im gewählten Clip für die vorhergesagte Klasse geachtet hat: Verdeckung durch Patchout oder Attention-Rollout über seinem Log-Mel</translation>
    </message>
    <message>
        <source>Show the matrix as this model minus the baseline</source>
        <translation>Die Matrix als dieses Modell minus Vergleichsmodell zeigen</translation>
    </message>
    <message>
        <source>Green: this model does better there (more on the diagonal, fewer off it); red: worse. On the clips both scored.</source>
        <translation>Grün: dieses Modell ist dort besser (mehr auf der Diagonale, weniger daneben); rot: schlechter. Auf den Clips, die beide bewertet haben.</translation>
    </message>
    <message>
        <source>The selected class&apos;s threshold: present when its score reaches it</source>
        <translation>Der Schwellenwert der gewählten Klasse: vorhanden, wenn ihr Score ihn erreicht</translation>
    </message>
    <message>
        <source>The threshold of every class without its own</source>
        <translation>Der Schwellenwert jeder Klasse ohne eigenen</translation>
    </message>
    <message>
        <source>Save into the run</source>
        <translation>Im Lauf speichern</translation>
    </message>
    <message>
        <source>RUN/thresholds.json: classify&apos;s &quot;present&quot; classes and live classification use them</source>
        <translation>RUN/thresholds.json: die „present“-Klassen von classify und die Live-Klassifikation verwenden sie</translation>
    </message>
    <message>
        <source>Use the global one</source>
        <translation>Den globalen verwenden</translation>
    </message>
    <message>
        <source>Drop the selected class&apos;s own threshold</source>
        <translation>Den eigenen Schwellenwert der gewählten Klasse verwerfen</translation>
    </message>
    <message>
        <source>This class:</source>
        <translation>Diese Klasse:</translation>
    </message>
    <message>
        <source>Every other class:</source>
        <translation>Jede andere Klasse:</translation>
    </message>
    <message>
        <source>Choose them on validation clips (Run &gt; Evaluate run…, split validation): chosen on the test clips, the test scores are no longer honest.</source>
        <translation>Auf Validierungsclips wählen (Lauf &gt; Lauf bewerten…, Split validation): auf den Testclips gewählt, sind die Testwerte nicht mehr ehrlich.</translation>
    </message>
    <message>
        <source>Thresholds</source>
        <translation>Schwellenwerte</translation>
    </message>
    <message>
        <source>%1 at %2%3: precision %4, recall %5, F1 %6 (%7 found, %8 false alarms, %9 missed)</source>
        <translation>%1 bei %2%3: Präzision %4, Trefferquote %5, F1 %6 (%7 gefunden, %8 Fehlalarme, %9 verpasst)</translation>
    </message>
    <message>
        <source> (the global one)</source>
        <translation> (der globale)</translation>
    </message>
    <message>
        <source>Every class at its threshold (%1 with their own): micro precision %2, recall %3, F1 %4</source>
        <translation>Jede Klasse bei ihrem Schwellenwert (%1 mit eigenem): Mikro-Präzision %2, Trefferquote %3, F1 %4</translation>
    </message>
    <message>
        <source>%1 found (%2)</source>
        <translation>%1 gefunden (%2)</translation>
    </message>
    <message>
        <source>%1 with %2 said (%3)</source>
        <translation>%1 mit %2 genannt (%3)</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ExplainDialog</name>
    <message>
        <source>What the model looked at — %1</source>
        <translation>Worauf das Modell geachtet hat — %1</translation>
    </message>
    <message>
        <source>time: the score&apos;s drop when a time column is left out</source>
        <translation>Zeit: der Abfall des Scores, wenn eine Zeitspalte fehlt</translation>
    </message>
    <message>
        <source>frequency: the drop when a frequency row is left out</source>
        <translation>Frequenz: der Abfall, wenn eine Frequenzzeile fehlt</translation>
    </message>
    <message>
        <source>patches: the drop when a single patch is left out</source>
        <translation>Patches: der Abfall, wenn ein einzelner Patch fehlt</translation>
    </message>
    <message>
        <source>attention rollout through the blocks</source>
        <translation>Attention-Rollout durch die Blöcke</translation>
    </message>
    <message>
        <source>Occlusion by patchout leaves patches out of the sequence, the model&apos;s own masking; rollout multiplies the blocks&apos; attention</source>
        <translation>Verdeckung durch Patchout lässt Patches aus der Sequenz weg, die eigene Maskierung des Modells; Rollout multipliziert die Attention der Blöcke</translation>
    </message>
    <message>
        <source>the window&apos;s best class</source>
        <translation>die beste Klasse des Fensters</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Start of the window in the recording (the model&apos;s input length from here)</source>
        <translation>Beginn des Fensters in der Aufnahme (die Eingabelänge des Modells ab hier)</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>Erklären</translation>
    </message>
    <message>
        <source>Method:</source>
        <translation>Methode:</translation>
    </message>
    <message>
        <source>Class:</source>
        <translation>Klasse:</translation>
    </message>
    <message>
        <source>Window from:</source>
        <translation>Fenster ab:</translation>
    </message>
    <message>
        <source>Explaining %1…</source>
        <translation>Erkläre %1…</translation>
    </message>
    <message>
        <source>%1, %2–%3 s: &lt;b&gt;%4&lt;/b&gt; scores %5 (%6). </source>
        <translation>%1, %2–%3 s: &lt;b&gt;%4&lt;/b&gt; erreicht %5 (%6). </translation>
    </message>
    <message>
        <source>%1–%2 s (%3%)</source>
        <translation>%1–%2 s (%3 %)</translation>
    </message>
    <message>
        <source>%1–%2 Hz (%3%)</source>
        <translation>%1–%2 Hz (%3 %)</translation>
    </message>
    <message>
        <source>Strongest in time: %1; in frequency: %2.</source>
        <translation>Am stärksten in der Zeit: %1; in der Frequenz: %2.</translation>
    </message>
    <message>
        <source>Cannot explain: %1</source>
        <translation>Erklärung nicht möglich: %1</translation>
    </message>
    <message>
        <source>Show in Listen</source>
        <translation>In „Hören“ zeigen</translation>
    </message>
    <message>
        <source>Lay this map over the recording&apos;s spectrogram in Listen</source>
        <translation>Diese Karte in „Hören“ über das Spektrogramm der Aufnahme legen</translation>
    </message>
    <message>
        <source> The recording ends at %1 s: the window is filled with silence after it, as the evaluation scores a short clip.</source>
        <translation> Die Aufnahme endet bei %1 s: das Fenster ist danach mit Stille aufgefüllt, wie die Evaluation einen kurzen Clip bewertet.</translation>
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
    <message>
        <source>explanation</source>
        <translation>Erklärung</translation>
    </message>
    <message>
        <source>What the model looked at in the window explained (Listen &gt; Explain the window at the cursor…, then Show in Listen)</source>
        <translation>Worauf das Modell im erklärten Fenster geachtet hat (Hören &gt; Fenster am Cursor erklären…, dann In „Hören“ zeigen)</translation>
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
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Model %1: start a live source or open a file</source>
        <translation>Modell %1: eine Live-Quelle starten oder eine Datei öffnen</translation>
    </message>
    <message>
        <source>%1: %2 windows; over the whole file the model hears %3 (%4)</source>
        <translation>%1: %2 Fenster; über die ganze Datei hört das Modell %3 (%4)</translation>
    </message>
    <message>
        <source>Load &amp;model…</source>
        <translation>&amp;Modell laden…</translation>
    </message>
    <message>
        <source>Model for live classification and file timelines</source>
        <translation>Modell für die Live-Klassifikation und die Zeitleisten von Dateien</translation>
    </message>
    <message>
        <source>&amp;New training run…</source>
        <translation>&amp;Neuer Trainingslauf…</translation>
    </message>
    <message>
        <source>&amp;Stop training</source>
        <translation>Training &amp;anhalten</translation>
    </message>
    <message>
        <source>M&amp;odel</source>
        <translation>M&amp;odell</translation>
    </message>
    <message>
        <source>System language (%1)</source>
        <translation>Systemsprache (%1)</translation>
    </message>
    <message>
        <source>Language of the workbench; it changes when the workbench starts again</source>
        <translation>Sprache der Werkbank; sie wechselt beim nächsten Start der Werkbank</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>The language changes when the workbench starts again</source>
        <translation>Die Sprache wechselt beim nächsten Start der Werkbank</translation>
    </message>
    <message>
        <source>a model is training (it stops with its state saved, and can be resumed)</source>
        <translation>ein Modell wird trainiert (das Training wird mit gespeichertem Zustand angehalten und kann fortgesetzt werden)</translation>
    </message>
    <message>
        <source>A model is training already: stop it first</source>
        <translation>Es wird bereits ein Modell trainiert: erst das Training anhalten</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Lese %1…</translation>
    </message>
    <message>
        <source>Stopping at the next step…</source>
        <translation>Halte beim nächsten Schritt an…</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Lauf</translation>
    </message>
    <message>
        <source>&amp;Evaluate run…</source>
        <translation>Lauf &amp;auswerten…</translation>
    </message>
    <message>
        <source>Score the open run&apos;s best model on a split of its dataset (RUN/eval)</source>
        <translation>Das beste Modell des geöffneten Laufs auf einem Teil seines Datensatzes bewerten (RUN/eval)</translation>
    </message>
    <message>
        <source>E&amp;mbed run…</source>
        <translation>Lauf &amp;einbetten…</translation>
    </message>
    <message>
        <source>Embed every clip of the open run&apos;s dataset with its best model (RUN/embeddings)</source>
        <translation>Alle Clips im Datensatz des geöffneten Laufs mit seinem besten Modell einbetten (RUN/embeddings)</translation>
    </message>
    <message>
        <source>a run is being evaluated or embedded</source>
        <translation>ein Lauf wird ausgewertet oder eingebettet</translation>
    </message>
    <message>
        <source>The run has no evaluation yet: Run &gt; Evaluate run… (Ctrl+E)</source>
        <translation>Der Lauf hat noch keine Auswertung: Lauf &gt; Lauf auswerten… (Strg+E)</translation>
    </message>
    <message>
        <source>Cannot evaluate the run: %1</source>
        <translation>Der Lauf lässt sich nicht auswerten: %1</translation>
    </message>
    <message>
        <source>Cannot embed the run: %1</source>
        <translation>Der Lauf lässt sich nicht einbetten: %1</translation>
    </message>
    <message>
        <source>Open a run folder first (File &gt; Open run folder…)</source>
        <translation>Erst einen Lauf-Ordner öffnen (Datei &gt; Lauf-Ordner öffnen…)</translation>
    </message>
    <message>
        <source>A run job is running already: wait for it or cancel it</source>
        <translation>Für einen Lauf läuft bereits eine Aufgabe: sie abwarten oder abbrechen</translation>
    </message>
    <message>
        <source>Evaluate run</source>
        <translation>Lauf auswerten</translation>
    </message>
    <message>
        <source>Score the best model of %1 on its dataset&apos;s clips:</source>
        <translation>Das beste Modell von %1 auf den Clips seines Datensatzes bewerten:</translation>
    </message>
    <message>
        <source>Embed run</source>
        <translation>Lauf einbetten</translation>
    </message>
    <message>
        <source>Embed every clip of %1&apos;s dataset; 2-D map (auto: t-SNE up to 2,000 clips, else PCA):</source>
        <translation>Alle Clips im Datensatz von %1 einbetten; 2-D-Karte (auto: t-SNE bis 2.000 Clips, sonst PCA):</translation>
    </message>
    <message>
        <source>Evaluating %1</source>
        <translation>Werte %1 aus</translation>
    </message>
    <message>
        <source>Embedding %1</source>
        <translation>Bette %1 ein</translation>
    </message>
    <message>
        <source>Split %1: %2 training, %3 validation, %4 test clips</source>
        <translation>Aufteilung %1: %2 Trainings-, %3 Validierungs-, %4 Test-Clips</translation>
    </message>
    <message>
        <source>Open the model from the run it was trained in to change it</source>
        <translation>Öffnen Sie das Modell aus dem Lauf, in dem es trainiert wurde, um es zu ändern</translation>
    </message>
    <message>
        <source>Cannot start from this model: %1</source>
        <translation>Von diesem Modell lässt sich nicht ausgehen: %1</translation>
    </message>
    <message>
        <source>Playing %1</source>
        <translation>Spiele %1</translation>
    </message>
    <message>
        <source>No audio output device: %1 cannot be heard here</source>
        <translation>Kein Audioausgabegerät: %1 ist hier nicht zu hören</translation>
    </message>
    <message>
        <source>Cannot play %1: %2</source>
        <translation>Kann %1 nicht abspielen: %2</translation>
    </message>
    <message>
        <source>A run folder, or a folder holding runs</source>
        <translation>Ein Laufordner oder ein Ordner mit Läufen</translation>
    </message>
    <message>
        <source>Export the comparison</source>
        <translation>Den Vergleich exportieren</translation>
    </message>
    <message>
        <source>Picture (*.png);;Vector picture (*.svg);;Curves as CSV (*.csv)</source>
        <translation>Bild (*.png);;Vektorbild (*.svg);;Kurven als CSV (*.csv)</translation>
    </message>
    <message>
        <source>&amp;Compare runs…</source>
        <translation>Läufe &amp;vergleichen…</translation>
    </message>
    <message>
        <source>Several runs&apos; curves overlaid and the settings in which they differ</source>
        <translation>Die Kurven mehrerer Läufe übereinander und die Einstellungen, in denen sie sich unterscheiden</translation>
    </message>
    <message>
        <source>Cannot compare: %1</source>
        <translation>Vergleich nicht möglich: %1</translation>
    </message>
    <message>
        <source>Cannot export the comparison: %1</source>
        <translation>Kann den Vergleich nicht exportieren: %1</translation>
    </message>
    <message>
        <source>Comparison written to %1</source>
        <translation>Vergleich geschrieben nach %1</translation>
    </message>
    <message>
        <source>&amp;Explain the window at the cursor…</source>
        <translation>Fenster am Cursor &amp;erklären…</translation>
    </message>
    <message>
        <source>Open an audio file first: the window at the play cursor is explained</source>
        <translation>Zuerst eine Audiodatei öffnen: erklärt wird das Fenster am Abspielcursor</translation>
    </message>
    <message>
        <source>What the loaded model looked at in the window from the play cursor</source>
        <translation>Worauf das geladene Modell im Fenster ab dem Abspielcursor geachtet hat</translation>
    </message>
    <message>
        <source>Load a model first (Listen &gt; Load model…, or open a run): it is the one explained</source>
        <translation>Zuerst ein Modell laden (Hören &gt; Modell laden… oder einen Lauf öffnen): dieses wird erklärt</translation>
    </message>
    <message>
        <source>Cannot explain with %1: %2</source>
        <translation>Erklärung mit %1 nicht möglich: %2</translation>
    </message>
    <message>
        <source>Load a model and open a file first: the model is measured on the file&apos;s first window</source>
        <translation>Zuerst ein Modell laden und eine Datei öffnen: gemessen wird das Modell auf dem ersten Fenster der Datei</translation>
    </message>
    <message>
        <source>Cannot measure: %1</source>
        <translation>Messung nicht möglich: %1</translation>
    </message>
    <message>
        <source>A model to measure beside the loaded one</source>
        <translation>Ein Modell, das neben dem geladenen gemessen wird</translation>
    </message>
    <message>
        <source>Models (*.safetensors *.pt *.pth)</source>
        <translation>Modelle (*.safetensors *.pt *.pth)</translation>
    </message>
    <message>
        <source>Cannot save the thresholds: %1</source>
        <translation>Kann die Schwellenwerte nicht speichern: %1</translation>
    </message>
    <message>
        <source>Thresholds saved into %1: classify and live classification use them</source>
        <translation>Schwellenwerte gespeichert in %1: classify und die Live-Klassifikation verwenden sie</translation>
    </message>
    <message>
        <source>The run&apos;s thresholds cannot be read: %1</source>
        <translation>Die Schwellenwerte des Laufs sind nicht lesbar: %1</translation>
    </message>
    <message>
        <source>as %1 trained</source>
        <translation>wie %1 trainiert wurde</translation>
    </message>
    <message>
        <source>Automatic: the GPU</source>
        <translation>Automatisch: die GPU</translation>
    </message>
    <message>
        <source>Automatic: the CPU (no usable GPU)</source>
        <translation>Automatisch: die CPU (keine nutzbare GPU)</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <source>Where models train, classify, evaluate, embed and are explained. CUDA: %1</source>
        <translation>Wo Modelle trainieren, klassifizieren, evaluieren, einbetten und erklärt werden. CUDA: %1</translation>
    </message>
    <message>
        <source>Models run on:</source>
        <translation>Modelle laufen auf:</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ModelView</name>
    <message>
        <source>Property</source>
        <translation>Eigenschaft</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Teil</translation>
    </message>
    <message>
        <source>All patches</source>
        <translation>Alle Patches</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Anteil</translation>
    </message>
    <message>
        <source>With patchout</source>
        <translation>Mit Patchout</translation>
    </message>
    <message>
        <source>Multiply-accumulates of one window, counted from the weight shapes; &quot;With patchout&quot;: the same window with the model&apos;s training patchout</source>
        <translation>Multiply-Accumulate-Operationen eines Fensters, aus den Formen der Gewichte gezählt; „Mit Patchout“: dasselbe Fenster mit dem Trainings-Patchout des Modells</translation>
    </message>
    <message>
        <source>Measure speed</source>
        <translation>Geschwindigkeit messen</translation>
    </message>
    <message>
        <source>Time forward passes of one window on this machine (about two seconds)</source>
        <translation>Die Dauer von Vorwärtsdurchläufen eines Fensters auf diesem Rechner messen (etwa zwei Sekunden)</translation>
    </message>
    <message>
        <source>Not measured yet.</source>
        <translation>Noch nicht gemessen.</translation>
    </message>
    <message>
        <source>Cost of one window</source>
        <translation>Kosten eines Fensters</translation>
    </message>
    <message>
        <source>Parameter</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Klassen</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>Metadaten</translation>
    </message>
    <message>
        <source>No model loaded.
Open a run folder (Ctrl+Shift+O) or load a model (Listen &gt; Load model).</source>
        <translation>Kein Modell geladen.
Öffnen Sie einen Lauf-Ordner (Strg+Umschalt+O) oder laden Sie ein Modell (Hören &gt; Modell laden).</translation>
    </message>
    <message>
        <source>Measuring…</source>
        <translation>Messe…</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 parameters (%3 MB), %4 classes, %5; one %6 s window costs %7 FLOPs</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;: %2 Parameter (%3 MB), %4 Klassen, %5; ein Fenster von %6 s kostet %7 FLOPs</translation>
    </message>
    <message>
        <source>single-label (softmax)</source>
        <translation>Single-Label (softmax)</translation>
    </message>
    <message>
        <source>multi-label (sigmoid)</source>
        <translation>Multi-Label (sigmoid)</translation>
    </message>
    <message>
        <source>%1 time columns, %2 frequency rows, %3 single patches%4</source>
        <translation>%1 Zeitspalten, %2 Frequenzzeilen, %3 einzelne Patches%4</translation>
    </message>
    <message>
        <source>, per example</source>
        <translation>, je Beispiel</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ohne</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>%1 mel bins x %2 frames (%3 s)</source>
        <translation>%1 Mel-Bänder x %2 Frames (%3 s)</translation>
    </message>
    <message>
        <source>Patches</source>
        <translation>Patches</translation>
    </message>
    <message>
        <source>%1 x %1, stride %2 (frequency) x %3 (time)</source>
        <translation>%1 x %1, Schrittweite %2 (Frequenz) x %3 (Zeit)</translation>
    </message>
    <message>
        <source>Patch grid</source>
        <translation>Patch-Raster</translation>
    </message>
    <message>
        <source>%1 frequency x %2 time = %3 patches</source>
        <translation>%1 Frequenz x %2 Zeit = %3 Patches</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>Breite</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>Blöcke</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>Heads</translation>
    </message>
    <message>
        <source>%1 (%2 dimensions each)</source>
        <translation>%1 (je %2 Dimensionen)</translation>
    </message>
    <message>
        <source>MLP hidden</source>
        <translation>Verborgene MLP-Breite</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>%1 (patches + %2)</source>
        <translation>%1 (Patches + %2)</translation>
    </message>
    <message>
        <source>class and distillation token</source>
        <translation>Klassen- und Distillations-Token</translation>
    </message>
    <message>
        <source>class token</source>
        <translation>Klassen-Token</translation>
    </message>
    <message>
        <source>Positional encoding</source>
        <translation>Positionskodierung</translation>
    </message>
    <message>
        <source>Head reads</source>
        <translation>Head liest</translation>
    </message>
    <message>
        <source>the class token(s)</source>
        <translation>Klassen-Token(s)</translation>
    </message>
    <message>
        <source>the mean of the patch tokens</source>
        <translation>Mittelwert der Patch-Tokens</translation>
    </message>
    <message>
        <source>Training patchout</source>
        <translation>Trainings-Patchout</translation>
    </message>
    <message>
        <source>Tokens while training</source>
        <translation>Tokens im Training</translation>
    </message>
    <message>
        <source>Patch embedding</source>
        <translation>Patch-Embedding</translation>
    </message>
    <message>
        <source>Attention projections</source>
        <translation>Attention-Projektionen</translation>
    </message>
    <message>
        <source>Attention scores</source>
        <translation>Attention-Scores</translation>
    </message>
    <message>
        <source>MLP</source>
        <translation>MLP</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>Head</translation>
    </message>
    <message>
        <source>Total (MACs)</source>
        <translation>Summe (MACs)</translation>
    </message>
    <message>
        <source>FLOPs per second of audio</source>
        <translation>FLOPs je Sekunde Audio</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>Klasse %1</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>Time every part of the model (forward, and forward + backward) on one window of this machine, and count its activation memory (a few seconds)</source>
        <translation>Jeden Teil des Modells auf einem Fenster auf diesem Rechner stoppen (vorwärts sowie vorwärts + rückwärts) und seinen Aktivierungsspeicher zählen (einige Sekunden)</translation>
    </message>
    <message>
        <source>Where the time goes: not profiled yet.</source>
        <translation>Wohin die Zeit geht: noch nicht gemessen.</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Vorwärts</translation>
    </message>
    <message>
        <source>Fwd + bwd</source>
        <translation>Vor- + rückw.</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Per kind of part, summed over the blocks: parameters, multiply-accumulates, the measured time of the forward pass (median) with its share, forward + backward, and the activations a training step keeps for backward</source>
        <translation>Je Art von Teil, über die Blöcke summiert: Parameter, Multiply-Accumulates, die gemessene Zeit des Vorwärtsdurchlaufs (Median) mit ihrem Anteil, vorwärts + rückwärts und die Aktivierungen, die ein Trainingsschritt für den Rückwärtsdurchlauf behält</translation>
    </message>
    <message>
        <source>Profiling…</source>
        <translation>Messe…</translation>
    </message>
    <message>
        <source>LayerNorms</source>
        <translation>LayerNorms</translation>
    </message>
    <message>
        <source>Attention proj.</source>
        <translation>Attention-Proj.</translation>
    </message>
    <message>
        <source>Sum</source>
        <translation>Summe</translation>
    </message>
    <message>
        <source>One window of %1 frames, %2 tokens, batch %3, %4, median of %5 runs on %6 LibTorch and %7 BLAS thread(s): the whole model takes %8 forward (%9 as inference runs it, fused)</source>
        <translation>Ein Fenster mit %1 Frames, %2 Tokens, Batch %3, %4, Median von %5 Läufen mit %6 LibTorch- und %7 BLAS-Thread(s): das ganze Modell braucht %8 vorwärts (%9 so, wie die Inferenz es fusioniert ausführt)</translation>
    </message>
    <message>
        <source>bf16</source>
        <translation>bf16</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>, %1 forward + backward</source>
        <translation>, %1 vorwärts + rückwärts</translation>
    </message>
    <message>
        <source>; a training forward holds %1 of activations (measured; %2 counted from the shapes)</source>
        <translation>; ein Trainings-Vorwärtsdurchlauf hält %1 Aktivierungen (gemessen; %2 aus den Formen gezählt)</translation>
    </message>
    <message>
        <source>No head importance yet</source>
        <translation>Noch keine Wichtigkeit der Köpfe</translation>
    </message>
    <message>
        <source>block %1</source>
        <translation>Block %1</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <source>Measure importance</source>
        <translation>Wichtigkeit messen</translation>
    </message>
    <message>
        <source>How much the loss on the training clips of the model&apos;s run depends on each attention head (the gradient of a gate on its output, Michel et al. 2019)</source>
        <translation>Wie stark der Fehler auf den Trainings-Clips des Laufs von jedem Attention-Kopf abhängt (der Gradient eines Tors auf seiner Ausgabe, Michel et al. 2019)</translation>
    </message>
    <message>
        <source>Head importance: not measured yet.</source>
        <translation>Wichtigkeit der Köpfe: noch nicht gemessen.</translation>
    </message>
    <message>
        <source>Share of the heads to keep; the least important go first, every block keeps one</source>
        <translation>Anteil der Köpfe, die bleiben; die unwichtigsten gehen zuerst, jeder Block behält einen</translation>
    </message>
    <message>
        <source>Prune and fine-tune…</source>
        <translation>Beschneiden und nachtrainieren…</translation>
    </message>
    <message>
        <source>Keep heads:</source>
        <translation>Köpfe behalten:</translation>
    </message>
    <message>
        <source>Optimise</source>
        <translation>Optimieren</translation>
    </message>
    <message>
        <source>Measuring the heads&apos; importance…</source>
        <translation>Messe die Wichtigkeit der Köpfe…</translation>
    </message>
    <message>
        <source>Importance of each head on the training clips of the model&apos;s run: the loss&apos;s sensitivity to switching it off, each block scaled to unit length.</source>
        <translation>Wichtigkeit jedes Kopfes auf den Trainings-Clips des Laufs: wie empfindlich der Fehler auf sein Abschalten reagiert, jeder Block auf Länge eins skaliert.</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1% (%2 of %3 heads)</source>
        <translation>%1 % (%2 von %3 Köpfen)</translation>
    </message>
    <message>
        <source>Measure the importance to see what pruning would leave.</source>
        <translation>Messen Sie die Wichtigkeit, um zu sehen, was das Beschneiden übrig ließe.</translation>
    </message>
    <message>
        <source>; about %1 ms per window (%2%, scaled from the profile)</source>
        <translation>; etwa %1 ms pro Fenster (%2 %, aus dem Profil hochgerechnet)</translation>
    </message>
    <message>
        <source>; profile the model for a latency estimate</source>
        <translation>; vermessen Sie das Modell für eine Schätzung der Latenz</translation>
    </message>
    <message>
        <source>all weights</source>
        <translation>alle Gewichte</translation>
    </message>
    <message>
        <source>the attention</source>
        <translation>die Attention</translation>
    </message>
    <message>
        <source>the MLP</source>
        <translation>das MLP</translation>
    </message>
    <message>
        <source>Pairs of consecutive blocks use one set of these weights (ALBERT); each shared tensor starts as the mean of the pair&apos;s</source>
        <translation>Paare aufeinanderfolgender Blöcke nutzen einen Satz dieser Gewichte (ALBERT); jeder geteilte Tensor beginnt als Mittel des Paares</translation>
    </message>
    <message>
        <source>Share and fine-tune…</source>
        <translation>Teilen und nachtrainieren…</translation>
    </message>
    <message>
        <source>Fine-tune the model with pairs of blocks sharing these weights, on the model&apos;s run, as a new run the Train view follows</source>
        <translation>Das Modell mit Blockpaaren, die diese Gewichte teilen, auf seinem Lauf nachtrainieren, als neuer Lauf, dem die Trainingsansicht folgt</translation>
    </message>
    <message>
        <source>Share between blocks:</source>
        <translation>Zwischen Blöcken teilen:</translation>
    </message>
    <message>
        <source>The model already shares %1 in groups of %2 blocks.</source>
        <translation>Das Modell teilt bereits %1 in Gruppen von %2 Blöcken.</translation>
    </message>
    <message>
        <source>Sharing %1 in pairs of blocks leaves %2 parameters (%3%); the time per window stays, every block still runs.</source>
        <translation>Teilen von %1 in Blockpaaren lässt %2 Parameter (%3 %); die Zeit pro Fenster bleibt, jeder Block läuft weiter.</translation>
    </message>
    <message>
        <source>Blocks to keep, the first ones: the top blocks are dropped before any head (their time goes with them; the blocks left keep the fused kernel)</source>
        <translation>Zu behaltende Blöcke, die ersten: die obersten Blöcke fallen vor jedem Kopf weg (ihre Zeit geht mit ihnen; die verbleibenden Blöcke behalten den fusionierten Kernel)</translation>
    </message>
    <message>
        <source>Drop the top blocks, prune to this share of the heads and fine-tune on the model&apos;s run as a new run (`patchout prune`); the Train view follows it</source>
        <translation>Die obersten Blöcke entfernen, auf diesen Anteil der Köpfe beschneiden und auf dem Lauf des Modells als neuen Lauf nachtrainieren (`patchout prune`); die Trainingsansicht verfolgt ihn</translation>
    </message>
    <message>
        <source>Keep blocks:</source>
        <translation>Blöcke behalten:</translation>
    </message>
    <message>
        <source>The blocks share their attention: heads cannot be pruned block by block (keep 100% of the heads to drop blocks only).</source>
        <translation>Die Blöcke teilen ihre Attention: Köpfe lassen sich nicht blockweise beschneiden (100 % der Köpfe behalten, um nur Blöcke zu entfernen).</translation>
    </message>
    <message>
        <source>Keeping %1 of %2 blocks and %3 of %4 heads</source>
        <translation>%1 von %2 Blöcken und %3 von %4 Köpfen zu behalten</translation>
    </message>
    <message>
        <source>Keeping %1 of %2 heads</source>
        <translation>%1 von %2 Köpfen zu behalten</translation>
    </message>
    <message>
        <source>%1 leaves %2 parameters (%3%) and %4 MACs per window (%5%)</source>
        <translation>%1 lässt %2 Parameter (%3 %) und %4 MACs pro Fenster (%5 %)</translation>
    </message>
    <message>
        <source>Importance of each head, stored with the model when it was measured on the training clips of its run; measure again to refresh it.</source>
        <translation>Wichtigkeit jedes Kopfes, mit dem Modell gespeichert, als sie auf den Trainingsclips seines Laufs gemessen wurde; erneut messen, um sie aufzufrischen.</translation>
    </message>
    <message>
        <source>Before and after</source>
        <translation>Vorher und nachher</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Vorher</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Nachher</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <source>MACs per window</source>
        <translation>MACs pro Fenster</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Sharing</source>
        <translation>Teilen</translation>
    </message>
    <message>
        <source>%1 ms per %2 s window (median of %3, 90% under %4 ms, features included): %5x real time on %6; %7 LibTorch thread(s), %8</source>
        <translation>%1 ms je Fenster von %2 s (Median aus %3, 90% unter %4 ms, Merkmale inbegriffen): %5-fache Echtzeit auf %6; %7 LibTorch-Thread(s), %8</translation>
    </message>
    <message>
        <source>the CPU</source>
        <translation>der CPU</translation>
    </message>
    <message>
        <source>bf16 autocast: %1 ms per window, fp32 %2 ms</source>
        <translation>bf16-Autocast: %1 ms je Fenster, fp32 %2 ms</translation>
    </message>
    <message>
        <source>fp32: %1 ms per window, bf16 autocast %2 ms</source>
        <translation>fp32: %1 ms je Fenster, bf16-Autocast %2 ms</translation>
    </message>
    <message>
        <source>bf16 autocast</source>
        <translation>bf16-Autocast</translation>
    </message>
    <message>
        <source>Live classification</source>
        <translation>Live-Klassifikation</translation>
    </message>
</context>
<context>
    <name>patchout::ui::ModelWorker</name>
    <message>
        <source>Cannot use %1: %2</source>
        <translation>%1 kann nicht verwendet werden: %2</translation>
    </message>
    <message>
        <source>Live classification stopped: %1</source>
        <translation>Live-Klassifikation beendet: %1</translation>
    </message>
    <message>
        <source>Load a model before classifying %1</source>
        <translation>Vor dem Klassifizieren von %1 ein Modell laden</translation>
    </message>
    <message>
        <source>Classifying %1 with %2</source>
        <translation>Klassifiziere %1 mit %2</translation>
    </message>
    <message>
        <source>Cannot classify %1: %2</source>
        <translation>%1 kann nicht klassifiziert werden: %2</translation>
    </message>
    <message>
        <source>Load a model before measuring its speed</source>
        <translation>Vor dem Messen der Geschwindigkeit ein Modell laden</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message numerus="yes">
        <source>, %n thread(s)</source>
        <translation>
            <numerusform>, %n Thread</numerusform>
            <numerusform>, %n Threads</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot measure the model&apos;s speed: %1</source>
        <translation>Die Geschwindigkeit des Modells lässt sich nicht messen: %1</translation>
    </message>
    <message>
        <source>Load a model before profiling it</source>
        <translation>Laden Sie ein Modell, bevor Sie es vermessen</translation>
    </message>
    <message>
        <source>Cannot profile the model: %1</source>
        <translation>Das Modell lässt sich nicht vermessen: %1</translation>
    </message>
    <message>
        <source>Load a model before measuring its heads</source>
        <translation>Laden Sie ein Modell, bevor Sie seine Köpfe messen</translation>
    </message>
    <message>
        <source>Head importance</source>
        <translation>Wichtigkeit der Köpfe</translation>
    </message>
    <message>
        <source>Cannot measure the heads&apos; importance: %1</source>
        <translation>Die Wichtigkeit der Köpfe lässt sich nicht messen: %1</translation>
    </message>
    <message>
        <source>the GPU (CUDA)</source>
        <translation>der GPU (CUDA)</translation>
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
        <source>Measure with the model</source>
        <translation>Mit dem Modell messen</translation>
    </message>
    <message>
        <source>Run the loaded model on this window with the shown mask, and with 16 random masks at each share of patches left out</source>
        <translation>Das geladene Modell auf diesem Fenster mit der gezeigten Maske und mit 16 zufälligen Masken je Anteil ausgelassener Patches ausführen</translation>
    </message>
    <message>
        <source>score of the class (mean of the masks)</source>
        <translation>Score der Klasse (Mittel der Masken)</translation>
    </message>
    <message>
        <source>masks keeping it on top</source>
        <translation>Masken, unter denen sie vorn bleibt</translation>
    </message>
    <message>
        <source>the shown mask</source>
        <translation>die gezeigte Maske</translation>
    </message>
    <message>
        <source>share of patches kept</source>
        <translation>Anteil behaltener Patches</translation>
    </message>
    <message>
        <source>Measuring with %1…</source>
        <translation>Messe mit %1…</translation>
    </message>
    <message>
        <source>Load a model (Listen &gt; Load model…, or open a run) and open a file to measure what leaving patches out does to its answer on this clip.</source>
        <translation>Ein Modell laden (Hören &gt; Modell laden… oder einen Lauf öffnen) und eine Datei öffnen, um zu messen, was ausgelassene Patches mit seiner Antwort auf diesem Clip machen.</translation>
    </message>
    <message>
        <source>Measure what leaving patches out does to %1&apos;s answer on this clip: patchout training teaches a model to answer from a part of the patches.</source>
        <translation>Messen, was ausgelassene Patches mit der Antwort von %1 auf diesem Clip machen: Patchout-Training lehrt ein Modell, aus einem Teil der Patches zu antworten.</translation>
    </message>
    <message>
        <source>%1, %2–%3 s: with every patch &lt;b&gt;%4&lt;/b&gt; scores %5.</source>
        <translation>%1, %2–%3 s: mit allen Patches erreicht &lt;b&gt;%4&lt;/b&gt; %5.</translation>
    </message>
    <message>
        <source>&lt;br&gt;%1 of %2 patches kept: it stays on top under %3% of the masks, score %4 (%5–%6).</source>
        <translation>&lt;br&gt;%1 von %2 Patches behalten: sie bleibt unter %3 % der Masken vorn, Score %4 (%5–%6).</translation>
    </message>
    <message>
        <source>&lt;br&gt;The shown mask (%1 kept): the answer is &lt;b&gt;%2&lt;/b&gt;; %3 scores %4.</source>
        <translation>&lt;br&gt;Die gezeigte Maske (%1 behalten): die Antwort ist &lt;b&gt;%2&lt;/b&gt;; %3 erreicht %4.</translation>
    </message>
    <message>
        <source>&lt;br&gt;The shown mask is for another grid than the model&apos;s: choose the model&apos;s preset to score it.</source>
        <translation>&lt;br&gt;Die gezeigte Maske gehört zu einem anderen Raster als dem des Modells: die Voreinstellung des Modells wählen, um sie zu bewerten.</translation>
    </message>
    <message>
        <source>%1 with patches left out</source>
        <translation>%1 mit ausgelassenen Patches</translation>
    </message>
    <message>
        <source>Beside another model…</source>
        <translation>Neben einem anderen Modell…</translation>
    </message>
    <message>
        <source>Measure a second model too, e.g. the same recipe trained without patchout, drawn dashed beside the loaded one</source>
        <translation>Auch ein zweites Modell messen, z. B. dasselbe Rezept ohne Patchout trainiert, gestrichelt neben dem geladenen</translation>
    </message>
    <message>
        <source>score: %1</source>
        <translation>Score: %1</translation>
    </message>
    <message>
        <source>on top: %1</source>
        <translation>vorn: %1</translation>
    </message>
    <message>
        <source>&lt;br&gt;Beside it, %1 answers &lt;b&gt;%2&lt;/b&gt; (%3) with every patch</source>
        <translation>&lt;br&gt;Daneben antwortet %1 mit allen Patches &lt;b&gt;%2&lt;/b&gt; (%3)</translation>
    </message>
    <message>
        <source>; with %1 kept it stays on top under %2% of the masks, score %3.</source>
        <translation>; mit %1 behaltenen bleibt sie unter %2 % der Masken vorn, Score %3.</translation>
    </message>
    <message>
        <source>SpecAugment time masks per example</source>
        <translation>SpecAugment-Zeitmasken je Beispiel</translation>
    </message>
    <message>
        <source>Each time mask is up to this many frames wide (its width is drawn from 0 to it)</source>
        <translation>Jede Zeitmaske ist bis zu so viele Frames breit (ihre Breite wird zwischen 0 und diesem Wert gezogen)</translation>
    </message>
    <message>
        <source>SpecAugment frequency masks per example</source>
        <translation>SpecAugment-Frequenzmasken je Beispiel</translation>
    </message>
    <message>
        <source>Each frequency mask is up to this many bins wide (its width is drawn from 0 to it)</source>
        <translation>Jede Frequenzmaske ist bis zu so viele Bänder breit (ihre Breite wird zwischen 0 und diesem Wert gezogen)</translation>
    </message>
    <message>
        <source>up to</source>
        <translation>bis zu</translation>
    </message>
    <message>
        <source>SpecAugment time masks:</source>
        <translation>SpecAugment-Zeitmasken:</translation>
    </message>
    <message>
        <source>frames</source>
        <translation>Frames</translation>
    </message>
    <message>
        <source>Frequency masks:</source>
        <translation>Frequenzmasken:</translation>
    </message>
    <message>
        <source>bins</source>
        <translation>Bänder</translation>
    </message>
    <message>
        <source>&lt;b&gt;SpecAugment&lt;/b&gt;%1: %2 time mask(s) up to %3 frames, %4 frequency mask(s) up to %5 bins</source>
        <translation>&lt;b&gt;SpecAugment&lt;/b&gt;%1: %2 Zeitmaske(n) bis zu %3 Frames, %4 Frequenzmaske(n) bis zu %5 Bänder</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <source>&lt;br&gt;this draw zeroes %1% of the block, yet all %2 patches stay tokens (%3 in the blocks): attention costs 100% of the full grid, and %4 patch(es) of zeros are computed anyway</source>
        <translation>&lt;br&gt;diese Ziehung setzt %1% des Blocks auf null, doch alle %2 Patches bleiben Tokens (%3 in den Blöcken): die Attention kostet 100% des vollen Rasters, und %4 Patch(es) aus Nullen werden trotzdem berechnet</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;b&gt;Patchout&lt;/b&gt;: kept %1 patches (%2%), %3 tokens in the blocks instead of %4: attention costs %5% of the full grid&apos;s (it grows with the square of the tokens), the whole forward %6%</source>
        <translation>&lt;br&gt;&lt;b&gt;Patchout&lt;/b&gt;: %1 Patches behalten (%2%), %3 Tokens in den Blöcken statt %4: die Attention kostet %5% des vollen Rasters (sie wächst mit dem Quadrat der Tokens), der ganze Vorwärtslauf %6%</translation>
    </message>
</context>
<context>
    <name>patchout::ui::PredictionTimeline</name>
    <message>
        <source>Windows classified by %1</source>
        <translation>Von %1 klassifizierte Fenster</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>Klasse %1</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>What the model hears along the file appears here once it is classified</source>
        <translation>Was das Modell im Verlauf der Datei hört, erscheint hier, sobald sie klassifiziert ist</translation>
    </message>
</context>
<context>
    <name>patchout::ui::RunComparisonView</name>
    <message>
        <source>The runs compared, each in its colour in every chart</source>
        <translation>Die verglichenen Läufe, jeder in seiner Farbe in jedem Diagramm</translation>
    </message>
    <message>
        <source>Add runs</source>
        <translation>Läufe hinzufügen</translation>
    </message>
    <message>
        <source>A recent run, or a folder: the run itself or every run one level inside it</source>
        <translation>Ein zuletzt geöffneter Lauf oder ein Ordner: der Lauf selbst oder jeder Lauf eine Ebene darin</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>The charts as PNG or SVG, or every run&apos;s curves as CSV</source>
        <translation>Die Diagramme als PNG oder SVG oder die Kurven aller Läufe als CSV</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>Validierungsgenauigkeit</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Examples per second</source>
        <translation>Beispiele pro Sekunde</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>Genauigkeit (%)</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>examples/s</source>
        <translation>Beispiele/s</translation>
    </message>
    <message>
        <source>The settings of config.json in which the runs differ</source>
        <translation>Die Einstellungen aus config.json, in denen sich die Läufe unterscheiden</translation>
    </message>
    <message>
        <source>Settings that differ:</source>
        <translation>Unterschiedliche Einstellungen:</translation>
    </message>
    <message>
        <source>A run or a folder of runs…</source>
        <translation>Ein Lauf oder ein Ordner mit Läufen…</translation>
    </message>
    <message>
        <source>%1 — best validation %2% (epoch %3 of %4)</source>
        <translation>%1 — beste Validierung %2 % (Epoche %3 von %4)</translation>
    </message>
    <message>
        <source>%1 — %2 epochs, no validation</source>
        <translation>%1 — %2 Epochen, keine Validierung</translation>
    </message>
    <message>
        <source>setting</source>
        <translation>Einstellung</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Add two runs or more (Add runs: a recent run, a run folder, or a folder holding runs) to see their curves overlaid and the settings in which they differ.</source>
        <translation>Zwei oder mehr Läufe hinzufügen (Läufe hinzufügen: ein zuletzt geöffneter Lauf, ein Laufordner oder ein Ordner mit Läufen), um ihre Kurven übereinander und die Einstellungen zu sehen, in denen sie sich unterscheiden.</translation>
    </message>
    <message>
        <source>One run: add another to compare.</source>
        <translation>Ein Lauf: einen weiteren zum Vergleich hinzufügen.</translation>
    </message>
    <message>
        <source>%1 runs with the same settings.</source>
        <translation>%1 Läufe mit denselben Einstellungen.</translation>
    </message>
    <message>
        <source>%1 runs, differing in %2 settings.</source>
        <translation>%1 Läufe, die sich in %2 Einstellungen unterscheiden.</translation>
    </message>
</context>
<context>
    <name>patchout::ui::RunJobWorker</name>
    <message>
        <source>Evaluating %1 on its %2 clips</source>
        <translation>Werte %1 auf seinen %2-Clips aus</translation>
    </message>
    <message>
        <source>%1 evaluated on %2 %3 clips: mAP %4</source>
        <translation>%1 auf %2 %3-Clips ausgewertet: mAP %4</translation>
    </message>
    <message>
        <source>%1 evaluated on %2 %3 clips: accuracy %4%, macro F1 %5</source>
        <translation>%1 auf %2 %3-Clips ausgewertet: Genauigkeit %4%, Makro-F1 %5</translation>
    </message>
    <message>
        <source>Embedding the clips of %1</source>
        <translation>Bette die Clips von %1 ein</translation>
    </message>
    <message>
        <source>%1: %2 clips embedded (%3 dimensions, %4 map)</source>
        <translation>%1: %2 Clips eingebettet (%3 Dimensionen, %4-Karte)</translation>
    </message>
    <message>
        <source>no clip could be decoded (%1 listed in %2)</source>
        <translation>kein Clip ließ sich dekodieren (%1 aufgeführt in %2)</translation>
    </message>
    <message>
        <source>; %1 skipped, first %2 (%3), all listed in %4</source>
        <translation>; %1 übersprungen, zuerst %2 (%3), alle aufgeführt in %4</translation>
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
    <name>patchout::ui::TrainDialog</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>New training run</source>
        <translation>Neuer Trainingslauf</translation>
    </message>
    <message>
        <source>folder per class, CSV, ESC-50, FSD50K, Speech Commands, FSDD…</source>
        <translation>Ordner je Klasse, CSV, ESC-50, FSD50K, Speech Commands, FSDD…</translation>
    </message>
    <message>
        <source>the dataset&apos;s own, else by speaker</source>
        <translation>die eigene des Datensatzes, sonst nach Sprecher</translation>
    </message>
    <message>
        <source>the dataset&apos;s own</source>
        <translation>die eigene des Datensatzes</translation>
    </message>
    <message>
        <source>by speaker / group</source>
        <translation>nach Sprecher / Gruppe</translation>
    </message>
    <message>
        <source>passt-micro and passt-mini train on a laptop CPU; passt-s is the official size</source>
        <translation>passt-micro und passt-mini trainieren auf einer Laptop-CPU; passt-s ist die offizielle Größe</translation>
    </message>
    <message>
        <source>Off: every patch in every step (slower, for comparison)</source>
        <translation>Aus: jeder Patch in jedem Schritt (langsamer, zum Vergleich)</translation>
    </message>
    <message>
        <source>continue the run saved in this folder</source>
        <translation>den in diesem Ordner gespeicherten Lauf fortsetzen</translation>
    </message>
    <message>
        <source>Dataset:</source>
        <translation>Datensatz:</translation>
    </message>
    <message>
        <source>Dataset folder</source>
        <translation>Datensatz-Ordner</translation>
    </message>
    <message>
        <source>Split:</source>
        <translation>Aufteilung:</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochen:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Lernrate:</translation>
    </message>
    <message>
        <source>Patchout:</source>
        <translation>Patchout:</translation>
    </message>
    <message>
        <source>Run folder:</source>
        <translation>Lauf-Ordner:</translation>
    </message>
    <message>
        <source>Run folder</source>
        <translation>Lauf-Ordner</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Trainieren</translation>
    </message>
    <message>
        <source>Choose the dataset folder.</source>
        <translation>Wählen Sie den Datensatz-Ordner.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>Choose the run folder.</source>
        <translation>Wählen Sie den Lauf-Ordner.</translation>
    </message>
    <message>
        <source>The run folder holds a run already: resume it or choose another folder.</source>
        <translation>Der Lauf-Ordner enthält bereits einen Lauf: Setzen Sie ihn fort oder wählen Sie einen anderen Ordner.</translation>
    </message>
    <message>
        <source>empty: the model above, from scratch</source>
        <translation>leer: das Modell oben, von Grund auf</translation>
    </message>
    <message>
        <source>Fine-tune a model file (.safetensors, e.g. a run&apos;s best model) or an official PaSST checkpoint (.pt); a new head is made when its classes differ</source>
        <translation>Eine Modelldatei (.safetensors, z. B. das beste Modell eines Laufs) oder einen offiziellen PaSST-Checkpoint (.pt) feinabstimmen; weichen die Klassen ab, entsteht ein neuer Kopf</translation>
    </message>
    <message>
        <source>The patch embedding, positions and the first k blocks stay fixed</source>
        <translation>Patch-Einbettung, Positionen und die ersten k Blöcke bleiben unverändert</translation>
    </message>
    <message>
        <source>the model&apos;s patchout while training</source>
        <translation>Patchout des Modells beim Training</translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation>Ausgehend von:</translation>
    </message>
    <message>
        <source>Model to fine-tune</source>
        <translation>Modell zum Feinabstimmen</translation>
    </message>
    <message>
        <source>Models (*.safetensors *.pt *.pth);;All files (*)</source>
        <translation>Modelle (*.safetensors *.pt *.pth);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Freeze blocks:</source>
        <translation>Blöcke einfrieren:</translation>
    </message>
    <message>
        <source>The model to start from, %1, is not a file.</source>
        <translation>Das Ausgangsmodell %1 ist keine Datei.</translation>
    </message>
    <message>
        <source>optional: another dataset folder whose clips join training</source>
        <translation>optional: ein weiterer Datensatz-Ordner, dessen Clips mittrainiert werden</translation>
    </message>
    <message>
        <source>E.g. synthetic voices (patchout dataset synth-words --words …) beside a few real speakers; classes are matched by name</source>
        <translation>Z. B. synthetische Stimmen (patchout dataset synth-words --words …) neben wenigen echten Sprechern; Klassen werden über den Namen zugeordnet</translation>
    </message>
    <message>
        <source>More training data:</source>
        <translation>Weitere Trainingsdaten:</translation>
    </message>
    <message>
        <source>More training data</source>
        <translation>Weitere Trainingsdaten</translation>
    </message>
    <message>
        <source>The extra training data, %1, is not a folder.</source>
        <translation>Die weiteren Trainingsdaten %1 sind kein Ordner.</translation>
    </message>
    <message>
        <source>from scratch: roll, gain and frequency shift; no mixup or masks</source>
        <translation>von Grund auf: Roll, Verstärkung und Frequenzverschiebung; kein Mixup, keine Masken</translation>
    </message>
    <message>
        <source>fine-tune: PaSST&apos;s recipe, mixup and SpecAugment masks</source>
        <translation>Feinabstimmung: das Rezept von PaSST, Mixup und SpecAugment-Masken</translation>
    </message>
    <message>
        <source>The options measured for this kind of training (docs/training.md); epochs, batch size and learning rate below start from it</source>
        <translation>Die für diese Art von Training erprobten Optionen (docs/training.md); Epochen, Batchgröße und Lernrate unten werden damit vorbelegt</translation>
    </message>
    <message>
        <source>Recipe:</source>
        <translation>Rezept:</translation>
    </message>
    <message>
        <source>Cannot continue this run: %1</source>
        <translation>Dieser Lauf lässt sich nicht fortsetzen: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keines</translation>
    </message>
    <message>
        <source> epochs</source>
        <translation> Epochen</translation>
    </message>
    <message>
        <source>Self-supervised pretraining before training: patchout hides most patches of each clip and the model learns to fill them in, without labels, on the dataset&apos;s training audio (never its test clips) and the folder below</source>
        <translation>Selbstüberwachtes Vortraining vor dem Training: Patchout verdeckt die meisten Patches jedes Clips, und das Modell lernt, sie ohne Labels zu ergänzen, auf dem Trainings-Audio des Datensatzes (nie seinen Test-Clips) und dem Ordner darunter</translation>
    </message>
    <message>
        <source>optional: a folder of audio without labels, for pretraining</source>
        <translation>optional: ein Ordner mit Audio ohne Labels, für das Vortraining</translation>
    </message>
    <message>
        <source>Pretrain first:</source>
        <translation>Zuerst vortrainieren:</translation>
    </message>
    <message>
        <source>Unlabelled audio:</source>
        <translation>Audio ohne Labels:</translation>
    </message>
    <message>
        <source>Unlabelled audio</source>
        <translation>Audio ohne Labels</translation>
    </message>
    <message>
        <source>The unlabelled audio, %1, is not a folder.</source>
        <translation>Das Audio ohne Labels, %1, ist kein Ordner.</translation>
    </message>
    <message>
        <source>fp32</source>
        <translation>fp32</translation>
    </message>
    <message>
        <source>bf16 mixed precision</source>
        <translation>bf16, gemischte Genauigkeit</translation>
    </message>
    <message>
        <source>automatic: bf16 where the CPU has AVX-512 BF16 (this one: %1)</source>
        <translation>automatisch: bf16, wo die CPU AVX-512 BF16 hat (diese: %1)</translation>
    </message>
    <message>
        <source>bf16: the products of each step in bfloat16, weights, loss and optimiser in fp32 (train --precision; docs/benchmarks.md has the speed-up)</source>
        <translation>bf16: die Produkte jedes Schritts in bfloat16, Gewichte, Verlust und Optimierer in fp32 (train --precision; die Beschleunigung steht in docs/benchmarks.md)</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit:</translation>
    </message>
    <message>
        <source>leave out rows with problems</source>
        <translation>Zeilen mit Problemen auslassen</translation>
    </message>
    <message>
        <source>Rows naming a missing or unreadable file, an unknown label or a malformed line are left out and listed when training ends, instead of refusing the dataset (train --skip_bad_rows; kept in the run, so resuming reads the same clips)</source>
        <translation>Zeilen, die eine fehlende oder unlesbare Datei, ein unbekanntes Label oder eine fehlerhafte Zeile nennen, werden ausgelassen und am Ende des Trainings aufgeführt, statt den Datensatz abzulehnen (train --skip_bad_rows; im Lauf gespeichert, damit das Fortsetzen dieselben Clips liest)</translation>
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
    <message>
        <source>New training run…</source>
        <translation>Neuer Trainingslauf…</translation>
    </message>
    <message>
        <source>Train a model on a dataset folder (Ctrl+T)</source>
        <translation>Ein Modell auf einem Datensatz-Ordner trainieren (Strg+T)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Stop the training: its state is saved and it can be resumed</source>
        <translation>Das Training anhalten: sein Zustand wird gespeichert, und es kann fortgesetzt werden</translation>
    </message>
    <message>
        <source>This run</source>
        <translation>Dieser Lauf</translation>
    </message>
    <message>
        <source>Runs side by side</source>
        <translation>Läufe nebeneinander</translation>
    </message>
</context>
<context>
    <name>patchout::ui::TrainWorker</name>
    <message>
        <source> · step %1 of %2 · loss %3 · %4 clips/s · %5 left</source>
        <translation> · Schritt %1 von %2 · Verlust %3 · %4 Clips/s · noch %5</translation>
    </message>
    <message>
        <source> · validation accuracy %1%</source>
        <translation> · Validierungsgenauigkeit %1%</translation>
    </message>
    <message>
        <source>Trained %1 epochs (%2 steps) in %3</source>
        <translation>%1 Epochen (%2 Schritte) in %3 trainiert</translation>
    </message>
    <message>
        <source>; best validation accuracy %1% (epoch %2)</source>
        <translation>; beste Validierungsgenauigkeit %1% (Epoche %2)</translation>
    </message>
    <message>
        <source>; test accuracy %1% on %2 clips</source>
        <translation>; Testgenauigkeit %1% auf %2 Clips</translation>
    </message>
    <message>
        <source>Stopped at step %1 (epoch %2 done); its state is saved: New training run… with this folder resumes it</source>
        <translation>Bei Schritt %1 angehalten (Epoche %2 abgeschlossen); der Zustand ist gespeichert: Neuer Trainingslauf… mit diesem Ordner setzt ihn fort</translation>
    </message>
    <message>
        <source>Training failed: %1</source>
        <translation>Training fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>; the classical floor %1% (%2 points)</source>
        <translation>; die klassische Untergrenze %1% (%2 Punkte)</translation>
    </message>
    <message>
        <source>; no validation clips, so the best model is the last epoch&apos;s</source>
        <translation>; keine Validierungs-Clips, daher ist das beste Modell das der letzten Epoche</translation>
    </message>
    <message>
        <source>Pretrained on %1 clips in %2 (reconstruction loss %3 → %4); </source>
        <translation>Auf %1 Clips in %2 vortrainiert (Rekonstruktionsfehler %3 → %4); </translation>
    </message>
    <message>
        <source>Pretraining stopped; no training run was started</source>
        <translation>Vortraining abgebrochen; es wurde kein Trainingslauf gestartet</translation>
    </message>
    <message>
        <source>Pruned to %1 of %2 blocks and %3 of %4 heads: %5 parameters (%6%); fine-tuned %7 epochs in %8</source>
        <translation>Beschnitten auf %1 von %2 Blöcken und %3 von %4 Köpfen: %5 Parameter (%6 %); %7 Epochen nachtrainiert in %8</translation>
    </message>
    <message numerus="yes">
        <source>; %n dataset row(s) left out, first %1</source>
        <translation>
            <numerusform>; %n Datensatzzeile ausgelassen, zuerst %1</numerusform>
            <numerusform>; %n Datensatzzeilen ausgelassen, zuerst %1</numerusform>
        </translation>
    </message>
</context>
</TS>
