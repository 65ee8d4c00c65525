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
