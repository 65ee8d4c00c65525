# Interface de tdverify, français.

nav-home = Accueil
nav-document = Document
nav-system = Vérification du système
nav-settings = Réglages
drop-images-here = Déposez les images pour les ouvrir

home-title = Contrôler un document de voyage
home-intro = tdverify lit la bande MRZ, contrôle les sécurités sous lumière blanche, UV et IR, lit la puce et compare les visages. Il n’a jamais besoin du réseau.
home-step-place = 1. Posez le document sur le scanner, page de données vers le bas, et numérisez-le sous lumière blanche, UV et IR.
home-step-open = 2. Ouvrez ici les images (une par lumière), ou déposez-les sur cette fenêtre.
home-step-drop = 3. Chaque constat est montré avec sa preuve sur l’image.
home-open-images = Ouvrir les images du document…
home-open-sample = Ouvrir un document d’exemple
home-no-samples = Pas encore de documents d’exemple : lancez `cargo xtask fixtures`.
home-check-system = Vérifier le système

browser-title = Ouvrir les images du document
browser-up = ⬆ Dossier parent
browser-open = { $count ->
    [0] Ouvrir
    [one] Ouvrir 1 image
   *[other] Ouvrir { $count } images
}
browser-location = Chemin du dossier ou du fichier
browser-cancel = Annuler

document-open = Ouvrir des images…
document-close-all = Tout fermer
document-close = Fermer cette image
document-zoom-out = Zoom arrière
document-zoom-in = Zoom avant
document-fit = Ajuster
document-loading = Chargement de { $file }…
document-empty = Aucune image ouverte.
document-empty-hint = Ouvrez ou déposez les images du document sous lumière blanche, UV et IR. La lumière est devinée d’après le nom du fichier ; vous pouvez la changer.
document-light-of = Lumière de { $file }
dismiss = Masquer

light-white = Blanche
light-uv = UV
light-ir = IR
light-coaxial = Coaxiale

system-title = Vérification du système
system-intro = Chaque élément dont tdverify a besoin, et comment réparer ce qui manque.
system-fix = Pour réparer :
system-running = Vérification…
system-run-again = Vérifier à nouveau
status-ok = OK
status-warn = Attention
status-fail = Manquant

settings-title = Réglages
settings-language = Langue
settings-scale = Taille du texte et des commandes
settings-theme = Thème
theme-system = Comme le bureau
theme-light = Clair
theme-dark = Sombre
settings-data-dir = Dossier des données (dossiers, journaux)
settings-save = Enregistrer
settings-saved = Réglages enregistrés.

check-pass = réussi
check-fail = échoué
check-warn = à examiner
check-error = contrôle impossible
check-not-checked = non contrôlé, comparer à l’œil
check-not-applicable = sans objet
check-confidence = confiance { $percent } %

mrz-title = Zone de lecture automatique
mrz-enter = Lignes MRZ (saisir ou coller)
mrz-none = Pas encore de MRZ : saisissez ou collez ses lignes.
mrz-valid = tous les chiffres de contrôle et règles sont respectés
mrz-invalid = non conforme : voir les contrôles
mrz-field-document-code = Code du document
mrz-field-issuing-state = État émetteur
mrz-field-document-number = Numéro du document
mrz-field-surname = Nom
mrz-field-given-names = Prénoms
mrz-field-nationality = Nationalité
mrz-field-birth-date = Date de naissance
mrz-field-sex = Sexe
mrz-field-expiry-date = Date d’expiration

## Revue de la MRZ : la lecture, son extrait, les corrections du lecteur et celles de l’agent
mrz-reading-valid = Lue avec confiance : tous les chiffres de contrôle sont respectés.
mrz-reading-invalid = Lue avec confiance, mais un chiffre de contrôle imprimé est faux : c’est une constatation sur le document, pas une erreur de lecture.
mrz-reading-low-confidence = Certains caractères sont incertains : comparez ceux qui sont surlignés avec le document et corrigez-les.
mrz-reading-unreadable = Les caractères n’ont pas pu être lus : saisissez la MRZ d’après le document.
mrz-reading-unknown = Le lecteur n’indique pas sa confiance : comparez la MRZ avec le document.
mrz-doubt-counts = Probablement faux : { $low } · à vérifier : { $doubtful }
mrz-crop-label = MRZ telle que lue sur l’image (cliquez sur un caractère)
mrz-crop-no-image = L’image sur laquelle la MRZ a été lue n’est plus ouverte.
mrz-crop-none = L’emplacement de la MRZ sur l’image est inconnu : utilisez les caractères ci-dessous.
mrz-legend-sure = lu avec confiance
mrz-legend-doubtful = moins de 90 % : à vérifier
mrz-legend-low = moins de 50 % : probablement faux
mrz-legend-decoder = corrigé par le lecteur
mrz-legend-hand = corrigé par vous
mrz-char-label = Ligne { $line }, position { $position } : { $char }
mrz-selected = Ligne { $line }, position { $position } : lu { $char } (confiance { $confidence })
mrz-selected-corrected = Le lecteur a vu { $from } ici et l’a corrigé en { $to }.
mrz-candidates = Ce que cela pourrait être :
mrz-use-candidate = Utiliser { $char } ({ $probability })
mrz-other-char = Autre caractère :
mrz-charset = Seulement <, 0–9 et A–Z
mrz-corrections = Corrigé par le lecteur ({ $count })
mrz-loupe-label = Le caractère choisi, agrandi
mrz-correction = ligne { $line }, position { $position } : lu { $from }, corrigé en { $to } — { $reason }
mrz-reason-check-digit = chiffre de contrôle du champ « { $field } »
mrz-reason-field-optional-data = données facultatives
mrz-reason-field-composite = ensemble de la zone (composite)
mrz-hand-fixes = Corrigé à la main
mrz-hand-fix = corrigé à la main : ligne { $line }, position { $position } : { $from } ➡ { $to }
mrz-undo = Annuler
mrz-undo-fix = Annuler la correction ligne { $line }, position { $position }
mrz-hand-fixes-next = Relancez l’inspection pour contrôler la MRZ corrigée ; les corrections sont conservées avec le dossier.
mrz-fix-typed = Le texte ne correspond plus caractère par caractère à la lecture : il sera utilisé tel que saisi.

## Dossiers (issue 9)
nav-cases = Dossiers
cases-title = Dossiers
cases-logged-in-as = Connecté en tant que { $user } ({ $role })
cases-log-out = Se déconnecter
cases-first-run = Premier démarrage : créez la phrase secrète du poste (elle chiffre chaque dossier) et le premier administrateur.
cases-station-passphrase = Phrase secrète du poste
cases-repeat-passphrase = Répétez la phrase secrète
cases-admin-name = Nom de l'administrateur
cases-password = Mot de passe
cases-repeat-password = Répétez le mot de passe
cases-create-store = Créer le registre des dossiers
cases-secrets-differ = Les deux saisies diffèrent ; recommencez.
cases-unlock-intro = Saisissez la phrase secrète du poste pour déverrouiller les dossiers (une fois par démarrage).
cases-unlock = Déverrouiller
cases-wrong-passphrase = Phrase secrète du poste incorrecte.
cases-login-intro = Connectez-vous avec votre nom d'utilisateur et votre mot de passe.
cases-user-name = Nom d'utilisateur
cases-log-in = Se connecter
cases-wrong-password = Utilisateur inconnu ou mot de passe incorrect.
cases-locked = Compte verrouillé après plusieurs échecs : réessayez dans { $seconds } s (à { $until }).
cases-bad-date = Date illisible « { $date } » : utilisez AAAA-MM-JJ.
cases-all = Tous les dossiers
cases-review-queue = À contrôler
cases-since = Du
cases-until = Au
cases-issuer = Émetteur
cases-officer = Agent
cases-status = Statut
cases-verdict = Verdict
cases-fraud-type = Type de fraude
cases-refresh = Actualiser
cases-none = Aucun dossier ne correspond.
cases-col-case = Dossier
cases-col-opened = Ouvert (UTC)
cases-page = { $first }–{ $last } sur { $total }
cases-previous = Page précédente
cases-next = Page suivante
cases-any = Tous
cases-back = Retour à la liste
cases-proposed = Verdict proposé
cases-no-checks = Aucun contrôle n'est enregistré dans ce dossier.
cases-officer-verdict = Verdict de l'agent
cases-none-chosen = Aucun
cases-forgery-methods = Méthodes de falsification
cases-save-verdict = Enregistrer le verdict
cases-saved = Verdict et classification enregistrés.
cases-read-only = Ce dossier est soumis et en lecture seule pour vous.
cases-note = Note
cases-add-note = Ajouter la note
cases-note-added = Note ajoutée.
cases-submit = Soumettre au contrôle
cases-submitted = Dossier soumis au contrôle.
cases-mark-reviewed = Marquer comme contrôlé
cases-reviewed = Dossier marqué comme contrôlé.
cases-report = Rapport (PDF)
cases-report-written = Rapport écrit dans { $path }
cases-no-access = Votre rôle ne donne pas accès au contenu des dossiers.

document-inspect = Contrôler
inspect-title = Contrôle
inspect-none = Ouvrez les images, puis appuyez sur Contrôler (Ctrl+I).
inspect-loading = Chargement de la bibliothèque de référence et des modèles…
inspect-template = Modèle : { $template }
inspect-no-template = Aucun modèle ne correspond : contrôles OACI génériques seulement.
stage-mrz = Lecture de la MRZ…
stage-document = Contrôle des sécurités…
stage-chip = Résultats de la puce…
stage-face = Comparaison des visages…
stage-verdict = Synthèse des constats…
verdict-proposed = Verdict proposé
verdict-genuine = Aucun signe de fraude
verdict-review = À examiner par vous
verdict-fraudulent = Signes de fraude
verdict-inconclusive = Trop peu de contrôles possibles
verdict-recapture = Reprendre les images : un contrôle n’a pas pu être fait
verdict-officer-decides = tdverify propose ; vous décidez.
fraud-counterfeit = Contrefaçon : le document entier a été reproduit
fraud-forged = Falsification : un document authentique a été modifié
fraud-pseudo = Pseudo-document : l’émetteur ou le type n’existe pas
fraud-fraudulently_obtained = Document authentique obtenu frauduleusement
fraud-impostor = Imposteur : le porteur n’est pas le titulaire
fraud-stolen_blank = Vierge volé
fraud-no_fraud = Pas de fraude
fraud-undetermined = Indéterminé
group-document = Document et sécurités
group-mrz = Zone de lecture automatique
group-chip = Puce
group-face = Visages
group-sltd = Documents volés et perdus
group-compare-by-eye = Non contrôlé : comparer à l’œil
verdict-compare-by-eye = { $count } constat(s) non lisible(s) avec certitude : à comparer à l’œil (listés à part ci-dessous)
mrz-by-light = La ZLA sous chaque lumière
mrz-by-light-used = utilisée pour les contrôles
mrz-by-light-none = aucune ZLA trouvée

# Chip panel
chip-title = Puce
chip-readers-looking = Recherche des lecteurs de cartes…
chip-no-service = Aucun service de cartes à puce : { $reason }. Installez et démarrez pcscd, ou lisez la puce d'exemple.
chip-no-reader = Aucun lecteur de cartes connecté. Branchez un lecteur sans contact, ou lisez la puce d'exemple.
chip-reader = Lecteur : { $name }
chip-can = CAN
chip-read = Lire la puce
chip-read-sample = Lire la puce d'exemple (émulateur)
chip-refresh = Actualiser les lecteurs
chip-place-document = Posez le document sur le lecteur…
chip-progress = { $file } : { $read } / { $total } octets
chip-card-removed = Carte retirée : reposez le document sur le lecteur pour reprendre.
chip-none = Aucune puce lue. La clé vient de la MRZ (ou du CAN pour les cartes d'identité).
chip-sample-note = Puce d'exemple de TEST issue de l'émulateur, signée par une PKI de test.
chip-access = Accès
chip-data-groups = Groupes de données
chip-pa = Authentification passive
chip-aa = Authentification active
chip-ca = Authentification de la puce
chip-clone = Détection de clone
chip-apdus = Échange
chip-portrait = Portrait de la puce

## Conserver l'inspection comme dossier (écran document)
case-unsaved = Pas encore enregistré comme dossier.
case-save = Enregistrer comme dossier
case-save-again = Réessayer l'enregistrement
case-saved = Enregistré comme dossier { $case } (mis à jour après chaque inspection).
case-save-failed = Non enregistré : { $reason }. L'inspection est conservée.
case-pending-login = Connectez-vous pour enregistrer l'inspection : elle est conservée d'ici là.

## Visages (écran document)
face-title = Visages
face-bearer = Porteur
face-open-bearer = Ouvrir la photo du porteur…
face-take-photo = Prendre une photo (caméra)
face-remove-bearer = Retirer
face-from-camera = caméra
face-bearer-next = Comparée à la prochaine inspection ({ $source }).
face-no-bearer = Pas de photo du porteur : les portraits imprimé et de la puce sont tout de même comparés.
face-source-photo = Portrait imprimé
face-source-chip = Portrait de la puce
face-source-bearer = Photo du porteur
face-source-ghost = Image fantôme (rehaussée)

## Documents recto verso (écran document)
document-side-mrz = Côté ZLA
document-side-other = Autre côté
document-side-of = Côté du document que montre cette image
document-side-empty = Aucune image de ce côté : ouvrez-en une, ou déplacez une image ici avec son menu de côté.

## Contexte du dossier (issue 22)
settings-station = Poste
settings-station-hint = À régler une fois : chaque nouveau formulaire de dossier part de ces valeurs.
cases-context = Contexte du dossier
cases-context-required = Les champs marqués * sont requis avant de soumettre un dossier de fraude.
context-detection_country = Pays de détection
context-detection_area = Zone
context-detection_point = Point de détection
context-detection_point_type = Type de point
context-detection_stage = Étape de détection
context-travel_direction = Sens
context-transport_mode = Transport
context-hotlist_result = Résultat SLTD
context-nationality_claimed = Nationalité déclarée
context-nationality_established = Nationalité établie
context-route_embarkation = Embarquement
context-route_destination = Destination
context-route_transits = Transits (3 au plus)
context-group_size = Taille du groupe
context-documents_held = Documents détenus
context-conclusion_level = Conclusion
context-outcome = Suite donnée

## Assistant d'export DESC (superviseur)
export-open = Exporter un lot DESC…
export-title = Export des fraudes anonymisées (DESC)
export-intro = Les dossiers de fraude soumis de la période deviennent des fiches anonymisées, signées avec la clé de ce poste. Noms, numéros, dates de naissance, ZLA, images et notes ne quittent jamais le poste.
export-from = Du (mois)
export-to = Au (mois, inclus)
export-k = k (fiches par groupe, au moins 5)
export-destination = Dossier de destination (clé USB)
export-preview = Aperçu
export-close = Fermer
export-write = Exporter et signer
export-running = Écriture et signature du lot…
export-store-locked = Les dossiers ne sont pas déverrouillés.
export-summary = { $period } : { $eligible } dossiers de fraude, { $records } fiches exportées, { $suppressed } supprimées pour que chaque groupe compte au moins { $k } fiches.
export-excluded = Exclus : { $drafts } brouillons, { $not_fraud } dossiers sans conclusion de fraude, { $training } dossiers d'entraînement.
export-generalised = Généralisé : { $step } ({ $records } fiches)
export-step-month_to_quarter = mois en trimestre
export-step-area_to_country = zone en pays
export-step-age_bands_merged = tranches d'âge voisines fusionnées
export-step-age_bands_merged_wide = tranches d'âge fusionnées encore (0-17, 18-29, 30+)
export-step-nationality_to_sub_region = nationalité en sous-région
export-step-nationality_to_region = nationalité en région
export-suppressed-groups = Groupes supprimés (sous k après toutes les étapes)
export-records = Fiches (100 premières)
export-overlap = Cette période recouvre un export fait le { $created } par { $actor }. Chaque dossier n'est exporté qu'une fois par période.
export-override = Exporter quand même (inscrit au journal d'audit)
export-done = { $records } fiches exportées ({ $suppressed } supprimées) vers { $path }
export-key-hint = Donnez au centre destinataire cette clé du poste pour qu'il vérifie le lot (`tdverify export verify LOT --key …`) :
cases-context-missing = Non soumis : un dossier de fraude requiert { $fields }. Vos saisies sont enregistrées.
export-empty = Aucune fiche n'atteint k sur cette période ; l'export enregistre quand même la période et ses comptes.

## SLTD (issue 23)
sltd-hit-title = CORRESPONDANCE SLTD POSSIBLE : à confirmer auprès du bureau central national avant toute mesure
home-sltd-current = Liste des documents volés et perdus : { $entries } entrées, au { $as_of } (il y a { $days } jours).
home-sltd-stale = La liste des documents volés et perdus au { $as_of } date de { $days } jours : importez-en une à jour (Vérification du système).
home-sltd-none = Aucune liste des documents volés et perdus : les inspections ne peuvent pas la consulter (importez-en une dans Vérification du système).
system-sltd-file = Lot de la liste (SLTD)
system-sltd-import = Importer la liste
system-sltd-importing = Vérification et import de la liste…
system-sltd-imported = Liste importée : { $entries } entrées de { $issuer }, au { $as_of }.
