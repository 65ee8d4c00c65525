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
check-not-checked = not checked, compare by eye
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

## MRZ review: the reading, its crop, the reader's corrections and the officer's fixes
mrz-reading-valid = Read with confidence: every check digit holds.
mrz-reading-invalid = Read with confidence, but a printed check digit fails: a finding about the document, not a misreading.
mrz-reading-low-confidence = Some characters are uncertain: compare the highlighted ones with the document and correct them.
mrz-reading-unreadable = The characters could not be read: type the MRZ from the document.
mrz-reading-unknown = The reader did not say how sure it is: compare the MRZ with the document.
mrz-doubt-counts = Probably wrong: { $low } · worth a look: { $doubtful }
mrz-crop-label = MRZ as read from the image (click a character)
mrz-crop-no-image = The image the MRZ was read from is no longer open.
mrz-crop-none = Where the MRZ lies on the image is not known: use the characters below.
mrz-legend-sure = read with confidence
mrz-legend-doubtful = below 90 %: check it
mrz-legend-low = below 50 %: probably wrong
mrz-legend-decoder = corrected by the reader
mrz-legend-hand = corrected by you
mrz-char-label = Line { $line }, position { $position }: { $char }
mrz-selected = Line { $line }, position { $position }: read { $char } (confidence { $confidence })
mrz-selected-corrected = The reader saw { $from } here and corrected it to { $to }.
mrz-candidates = What it could be:
mrz-use-candidate = Use { $char } ({ $probability })
mrz-other-char = Another character:
mrz-charset = Only <, 0–9 and A–Z
mrz-corrections = Corrected by the reader ({ $count })
mrz-loupe-label = The selected character, enlarged
mrz-correction = line { $line }, position { $position }: read { $from }, corrected to { $to } — { $reason }
mrz-reason-check-digit = check digit of the { $field }
mrz-reason-field-optional-data = optional data
mrz-reason-field-composite = whole zone (composite)
mrz-hand-fixes = Corrected by hand
mrz-hand-fix = fixed by hand: line { $line }, position { $position }: { $from } ➡ { $to }
mrz-undo = Undo
mrz-undo-fix = Undo the fix at line { $line }, position { $position }
mrz-hand-fixes-next = Inspect again to check the corrected MRZ; the fixes are kept with the case.
mrz-fix-typed = The text no longer lines up with the reading character by character: it will be used as typed.

## Cases (issue 9)
nav-cases = Cases
cases-title = Cases
cases-logged-in-as = Logged in as { $user } ({ $role })
cases-log-out = Log out
cases-first-run = First start: create the station passphrase (it encrypts every case) and the first administrator.
cases-station-passphrase = Station passphrase
cases-repeat-passphrase = Repeat the passphrase
cases-admin-name = Administrator name
cases-password = Password
cases-repeat-password = Repeat the password
cases-create-store = Create the case store
cases-secrets-differ = The two entries differ; type them again.
cases-unlock-intro = Enter the station passphrase to unlock the cases (once per start).
cases-unlock = Unlock
cases-wrong-passphrase = Wrong station passphrase.
cases-login-intro = Log in with your user name and password.
cases-user-name = User name
cases-log-in = Log in
cases-wrong-password = Unknown user or wrong password.
cases-locked = Account locked after repeated failed logins: try again in { $seconds } s (at { $until }).
cases-bad-date = Cannot read the date “{ $date }”: use YYYY-MM-DD.
cases-all = All cases
cases-review-queue = Review queue
cases-since = From
cases-until = Until
cases-issuer = Issuer
cases-officer = Officer
cases-status = Status
cases-verdict = Verdict
cases-fraud-type = Fraud type
cases-refresh = Refresh
cases-none = No cases match.
cases-col-case = Case
cases-col-opened = Opened (UTC)
cases-page = { $first }–{ $last } of { $total }
cases-previous = Previous page
cases-next = Next page
cases-any = Any
cases-back = Back to the list
cases-proposed = Proposed verdict
cases-no-checks = No checks were recorded with this case.
cases-officer-verdict = Officer's verdict
cases-none-chosen = None
cases-forgery-methods = Forgery methods
cases-save-verdict = Save verdict
cases-saved = Verdict and classification saved.
cases-read-only = This case is submitted and read-only for you.
cases-note = Note
cases-add-note = Add note
cases-note-added = Note added.
cases-submit = Submit for review
cases-submitted = Case submitted for review.
cases-mark-reviewed = Mark as reviewed
cases-reviewed = Case marked as reviewed.
cases-report = Report (PDF)
cases-report-written = Report written to { $path }
cases-no-access = Your role has no access to case contents.

document-inspect = Inspect
inspect-title = Inspection
inspect-none = Open the images, then press Inspect (Ctrl+I).
inspect-loading = Loading the reference library and models…
inspect-template = Template: { $template }
inspect-no-template = No template matched: generic ICAO checks only.
stage-mrz = Reading the MRZ…
stage-document = Checking the security features…
stage-chip = Collecting the chip results…
stage-face = Comparing the faces…
stage-verdict = Weighing the findings…
verdict-proposed = Proposed verdict
verdict-genuine = No sign of fraud found
verdict-review = Needs your review
verdict-fraudulent = Signs of fraud
verdict-inconclusive = Not enough could be checked
verdict-recapture = Capture again: a check could not run on these images
verdict-officer-decides = tdverify proposes; you decide.
fraud-counterfeit = Counterfeit: the whole document was reproduced
fraud-forged = Forged: a genuine document was altered
fraud-pseudo = Pseudo document: issuer or type does not exist
fraud-fraudulently_obtained = Fraudulently obtained genuine document
fraud-impostor = Impostor: the bearer is not the holder
fraud-stolen_blank = Stolen blank
fraud-no_fraud = No fraud
fraud-undetermined = Undetermined
group-document = Document and security features
group-mrz = Machine readable zone
group-chip = Chip
group-face = Faces
group-sltd = Stolen and lost documents
group-compare-by-eye = Not checked: compare by eye
verdict-compare-by-eye = { $count } finding(s) could not be read with confidence: compare them by eye (listed apart below)
mrz-by-light = MRZ under each light
mrz-by-light-used = used for the checks
mrz-by-light-none = no MRZ found

# Chip panel
chip-title = Chip
chip-readers-looking = Looking for smart-card readers…
chip-no-service = No smart-card service: { $reason }. Install and start pcscd, or read the sample chip.
chip-no-reader = No smart-card reader connected. Plug in a contactless reader, or read the sample chip.
chip-reader = Reader: { $name }
chip-can = CAN
chip-read = Read chip
chip-read-sample = Read the sample chip (emulator)
chip-refresh = Refresh readers
chip-place-document = Place the document on the reader…
chip-progress = { $file }: { $read } / { $total } bytes
chip-card-removed = Card removed: place the document on the reader again to resume.
chip-none = No chip read yet. The key comes from the MRZ (or the CAN for ID cards).
chip-sample-note = TEST-ONLY sample chip from the emulator, signed by a test PKI.
chip-access = Access
chip-data-groups = Data groups
chip-pa = Passive authentication
chip-aa = Active authentication
chip-ca = Chip authentication
chip-clone = Clone detection
chip-apdus = Exchange
chip-portrait = Chip portrait

## Keeping the inspection as a case (document screen)
case-unsaved = Not saved as a case yet.
case-save = Save as case
case-save-again = Try saving again
case-saved = Saved as case { $case } (updated after each inspection).
case-save-failed = Not saved: { $reason }. The inspection is still here.
case-pending-login = Log in to save the inspection: it is kept until then.

## Faces (document screen)
face-title = Faces
face-bearer = Bearer
face-open-bearer = Open bearer photo…
face-take-photo = Take photo (camera)
face-remove-bearer = Remove
face-from-camera = camera
face-bearer-next = Compared at the next inspection ({ $source }).
face-no-bearer = No bearer photo: the printed and chip portraits are still compared.
face-source-photo = Printed portrait
face-source-chip = Chip portrait
face-source-bearer = Bearer photo
face-source-ghost = Ghost image (enhanced)

## Two-sided documents (document screen)
document-side-mrz = MRZ side
document-side-other = Other side
document-side-of = Side of the document this image shows
document-side-empty = No image of this side yet: open one, or move an image here with its side menu.

## Case context (issue 22)
settings-station = Station
settings-station-hint = Set once: every new case form starts with these values.
cases-context = Case context
cases-context-required = Fields marked * are needed before a fraud case can be submitted.
context-detection_country = Detection country
context-detection_area = Area
context-detection_point = Detection point
context-detection_point_type = Point type
context-detection_stage = Detection stage
context-travel_direction = Direction
context-transport_mode = Transport
context-hotlist_result = SLTD result
context-nationality_claimed = Nationality claimed
context-nationality_established = Nationality established
context-route_embarkation = Embarkation
context-route_destination = Destination
context-route_transits = Transits (up to 3)
context-group_size = Group size
context-documents_held = Documents held
context-conclusion_level = Conclusion
context-outcome = Outcome

## DESC export wizard (Supervisor)
export-open = Export DESC bundle…
export-title = Export anonymised fraud records (DESC)
export-intro = Submitted fraud cases of the period become anonymised records, signed with this station's key. Names, numbers, dates of birth, MRZ, images and notes never leave the station.
export-from = From (month)
export-to = To (month, inclusive)
export-k = k (records per group, at least 5)
export-destination = Destination folder (USB stick)
export-preview = Preview
export-close = Close
export-write = Export and sign
export-running = Writing and signing the bundle…
export-store-locked = The case store is not unlocked.
export-summary = { $period }: { $eligible } fraud cases, { $records } records go, { $suppressed } suppressed so that every group has at least { $k } records.
export-excluded = Left out: { $drafts } drafts, { $not_fraud } cases not concluded as fraud, { $training } training cases.
export-generalised = Generalised: { $step } ({ $records } records)
export-step-month_to_quarter = month to quarter
export-step-area_to_country = area to country
export-step-age_bands_merged = adjacent age bands merged
export-step-age_bands_merged_wide = age bands merged again (0-17, 18-29, 30+)
export-step-nationality_to_sub_region = nationality to sub-region
export-step-nationality_to_region = nationality to region
export-suppressed-groups = Suppressed groups (below k after every step)
export-records = Records (first 100)
export-overlap = This period overlaps an export made on { $created } by { $actor }. Each case is exported once per period.
export-override = Export again anyway (recorded in the audit log)
export-done = Exported { $records } records ({ $suppressed } suppressed) to { $path }
export-key-hint = Give the receiving hub this station key so it can check the bundle (`tdverify export verify BUNDLE --key …`):
cases-context-missing = Not submitted: a fraud case needs { $fields }. Your entries are saved.
export-empty = No record reaches k in this period; exporting still records the period and its counts.

## SLTD (issue 23)
sltd-hit-title = POSSIBLE SLTD HIT: confirm with the national central bureau before any action
home-sltd-current = Stolen and lost documents hotlist: { $entries } entries, as of { $as_of } ({ $days } days old).
home-sltd-stale = Stolen and lost documents hotlist as of { $as_of } is { $days } days old: import a current one (System check).
home-sltd-none = No stolen and lost documents hotlist: inspections cannot check it (import one under System check).
system-sltd-file = Hotlist bundle (SLTD)
system-sltd-import = Import hotlist
system-sltd-importing = Verifying and importing the hotlist…
system-sltd-imported = Hotlist imported: { $entries } entries from { $issuer }, as of { $as_of }.
system-sltd-title = Stolen and lost documents hotlist
system-sltd-admin-only = An administrator imports the hotlist: log in as one on the Cases screen.
system-sltd-no-publisher = No hotlist publisher is trusted yet: an administrator trusts the national central bureau's key (tdverify sltd trust KEY --admin NAME).
system-sltd-publisher = Trusted publisher: { $label } { $key } (by { $by }, { $at })
system-sltd-max-age = The hotlist is used up to { $days } days after its as-of date.
system-sltd-online = Online SLTD service: { $endpoint } (asked only when an officer asks; audited).
system-sltd-online-none = No online SLTD service is configured: every lookup uses the offline hotlist.
sltd-online-ask = Ask the online SLTD service
sltd-online-ask-hint = Sends the document number, issuing state and type to the service the administrator configured; waits up to 3 s; audited.
sltd-online-asking = Asking the online SLTD service…
sltd-online-failed = Online SLTD: { $reason }. The offline hotlist's answer stands.
