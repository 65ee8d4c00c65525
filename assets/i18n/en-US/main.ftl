# tdverify user interface, English (reference language).
# Every id here must exist in every other language (a test checks it).

nav-home = Home
nav-document = Document
nav-system = System check
nav-settings = Settings
drop-images-here = Drop the images to open them

home-title = Check a travel document
home-intro = tdverify reads the MRZ, checks the security features under white, UV and IR light, reads the chip and compares the faces. It never needs a network.
home-step-place = 1. Put the document on the scanner, data page down, and scan it under white, UV and IR light.
home-step-open = 2. Open the images here (one per light), or drop them on this window.
home-step-drop = 3. Every finding is shown with its evidence on the image.
home-open-images = Open document images…
home-open-sample = Open a sample document
home-no-samples = No sample documents yet: run `cargo xtask fixtures`.
home-check-system = Check the system

browser-title = Open document images
browser-up = ⬆ Up
browser-open = { $count ->
    [0] Open
    [one] Open 1 image
   *[other] Open { $count } images
}
browser-location = Folder or file path
browser-cancel = Cancel

document-open = Open images…
document-close-all = Close all
document-close = Close this image
document-zoom-out = Zoom out
document-zoom-in = Zoom in
document-fit = Fit
document-loading = Loading { $file }…
document-empty = No images open yet.
document-empty-hint = Open or drop the white, UV and IR images of the document. The light is guessed from the file name; you can change it.
document-light-of = Light of { $file }
dismiss = Dismiss

light-white = White
light-uv = UV
light-ir = IR
light-coaxial = Coaxial

system-title = System check
system-intro = Every part tdverify needs, and how to fix what is missing.
system-fix = To fix:
system-running = Checking…
system-run-again = Check again
status-ok = OK
status-warn = Warning
status-fail = Missing

settings-title = Settings
settings-language = Language
settings-scale = Text and controls size
settings-theme = Theme
theme-system = Like the desktop
theme-light = Light
theme-dark = Dark
settings-data-dir = Data folder (cases, logs)
settings-save = Save
settings-saved = Settings saved.

check-pass = passed
check-fail = failed
check-warn = to review
check-error = could not check
check-not-applicable = not applicable
check-confidence = confidence { $percent } %

mrz-title = Machine readable zone
mrz-enter = MRZ lines (type or paste)
mrz-none = No MRZ yet: type or paste its lines.
mrz-valid = all check digits and rules hold
mrz-invalid = does not hold: see the checks
mrz-field-document-code = Document code
mrz-field-issuing-state = Issuing state
mrz-field-document-number = Document number
mrz-field-surname = Surname
mrz-field-given-names = Given names
mrz-field-nationality = Nationality
mrz-field-birth-date = Date of birth
mrz-field-sex = Sex
mrz-field-expiry-date = Date of expiry
