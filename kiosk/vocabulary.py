"""The shared vocabulary of the count: one definition of each word the modules pass between them.

Literal types (mypy checks every use), the error codes (`ErrorCode`: every key of
`kiosk.messages.MESSAGES`, checked by tests/test_vocabulary.py), and the counters' keys
(`TallyKey`: "option:<id>", "blank", "overvote", "review", made and read only here).
"""

from __future__ import annotations

from typing import Literal, NewType

# A count's mode: the official count, or logic-and-accuracy tests.
Mode = Literal["official", "test"]
# The side of a sheet.
Side = Literal["front", "back"]
# What a contest on a sheet comes to.
Outcome = Literal["vote", "blank", "overvote", "review"]
# What the reader makes of one square.
Mark = Literal["marked", "marginal", "empty"]
# Who acts at the station.
Role = Literal["chair", "secretary", "member", "technician"]
# What they do to the station's lifecycle.
Action = Literal[
    "configure",
    "start_test",
    "end_test",
    "open",
    "pause",
    "resume",
    "close",
    "finalise",
    "export",
    "sync",
    "scan",
]

# Every stable error code (a message in kk/ru/en in kiosk.messages for each). A new code is
# added here and in MESSAGES; tests/test_vocabulary.py says which side misses one.
ErrorCode = Literal[
    "package_malformed",
    "package_unsigned",
    "package_unknown_key",
    "package_bad_signature",
    "package_unknown_version",
    "package_invalid",
    "unknown_style",
    "unknown_station",
    "file_unwritable",
    "not_a_ballot",
    "blank_page",
    "unreadable",
    "wrong_election",
    "wrong_station",
    "test_ballot_in_official_mode",
    "official_ballot_in_test_mode",
    "needs_cleaning",
    "title_side_only",
    "image_undecodable",
    "image_size_unsupported",
    "image_colour_unsupported",
    "image_layout_unsupported",
    "layout_mismatch",
    "layout_version_unsupported",
    "file_unreadable",
    "journal_exists",
    "journal_missing",
    "journal_unwritable",
    "journal_disk_full",
    "journal_corrupt",
    "mirror_unavailable",
    "mirror_differs",
    "sheet_not_pending",
    "sheet_unknown",
    "sheet_already_decided",
    "sheet_already_counted",
    "pending_needs_commission",
    "invalid_returned",
    "role_unknown",
    "action_unknown",
    "action_not_allowed_now",
    "role_not_allowed",
    "counts_not_zero",
    "sheets_pending",
    "scanner_unavailable",
    "scanner_url_invalid",
    "scanner_jammed",
    "scanner_double_feed",
    "scanner_cover_open",
    "scanner_box_full",
    "scanner_no_documents",
    "scanner_io_error",
    "scanner_disconnected",
    "scanner_restarted",
    "scanner_busy",
    "scanner_not_supported",
    "scanner_protocol_error",
    "scanner_image_failed",
    "take_sheet_from_tray",
    "camera_give_sheet_back",
    "camera_no_still_page",
    "printer_paper_out",
    "printer_cover_open",
    "printer_offline",
    "printer_url_invalid",
    "export_device_key_missing",
    "export_not_allowed_now",
    "export_count_incomplete",
    "export_nist_invalid",
    "export_stick_gone",
    "export_disk_full",
    "export_stick_readonly",
    "export_readback_failed",
    "export_incomplete",
    "export_bad_signature",
    "export_wrong_key",
    "export_file_changed",
    "export_file_missing",
    "export_file_unexpected",
    "package_too_large",
    "package_not_official",
    "hq_key_invalid",
    "hq_key_is_private",
    "signing_key_invalid",
    "image_not_regular_file",
    "image_too_large",
    "scanner_too_slow",
    "scanner_image_too_large",
    "scanner_simulated",
    "actor_required",
    "station_busy",
    "clock_went_back",
    "clock_far_from_election",
    "pin_wrong",
    "sign_in_locked",
    "not_signed_in",
    "members_missing",
    "review_needs_two_members",
    "kiosk_fault",
    "voter_cast_as_is",
    "journal_tampered",
    "device_key_invalid",
    "journal_read_only",
    "protocol_no_form",
    "protocol_line_counted",
    "protocol_line_unknown",
    "protocol_line_missing",
    "protocol_line_value",
    "protocol_review_pending",
    "protocol_ratio_failed",
    "protocol_unsigned",
    "protocol_bad_signature",
    "protocol_unknown_signer",
    "protocol_enrolment_bad",
    "protocol_enrolment_mismatch",
    "protocol_malformed",
    "protocol_superseded",
    "protocol_form_mismatch",
    "protocol_print_mismatch",
    "protocol_qr_unreadable",
    "protocol_not_ready",
    "protocol_already_signed",
    "protocol_version_conflict",
    "protocol_reason_needed",
    "protocol_dissent_reason",
    "protocol_input_invalid",
    "device_key_missing",
    "member_unknown",
    "member_key_exists",
    "member_key_corrupt",
    "member_pin_weak",
    "member_pin_wrong",
    "member_locked",
    "protocol_finalised",
    # the reader's review reasons (issue 10)
    "marginal_mark",
    "possible_stain",
    "crossing_line",
    "possible_erasure",  # erase9: a mark rubbed out (issue 10, ninth pass)
    # sync to headquarters (issue 15)
    "sync_request_bad",
    "sync_request_stale",
    "sync_unknown_station",
    "sync_wrong_election",
    "sync_replayed_version",
    "sync_version_conflict",
    "sync_too_large",
    "sync_receipt_bad",
    "sync_ca_invalid",
    "sync_development_key",
    "sync_no_station",
    # mark thresholds and the logic-and-accuracy test (issue 16, lat)
    "thresholds_overlap",
    "thresholds_deck_mismatch",
    "thresholds_too_few",
    "test_deck_not_passed",
    "test_deck_mismatch",
    "test_report_needs_test_mode",
    # scanner calibration (issue 16, calib)
    "calibration_sheet_unrecognised",
    "calibration_no_sheet",
    "calibration_scale",
    "calibration_skew",
    "calibration_offset",
    "calibration_levels",
    "calibration_illumination",
    "calibration_streak",
    "calibration_dust",
    "calibration_resolution",
    "calibration_missing",
    "calibration_stale",
    "calibration_failed",
    "calibration_profile_changed",
    "calibration_scale_drift",
    # sync2, round 3 (issue 15): the pinned HQ CA, CVR/manifest deliveries, the version race
    "sync_server_untrusted",
    "sync_no_headquarters",
    "sync_ca_needs_development",
    "sync_file_bad",
    "sync_not_asked",
    "sync_store_busy",
    "sync_no_receipt",
    # kioskpolish, round 4 (issue 14): the technicians' roster for the kiosk (kiosk/ui/technicians.py)
    "technician_roster_bad",
    "technician_roster_mismatch",
    # kiosk6, round 4 (issue 14): a technician's id also on the commission's roster
    "technician_roster_clash",
    # attack6, round 5: an export folder holding a link or a special file (docs/export.md)
    "export_not_plain_file",
    # secret7, round 5 (attack6): reviews are decided after the polls close
    "review_while_open",
]

# One counter of a contest: "option:<id>" for a vote, else the outcome ("blank",
# "overvote", "review"). Stored as text in the journal and signed: the spelling is fixed.
TallyKey = NewType("TallyKey", str)
OPTION_PREFIX = "option:"


def option_key(option: str) -> TallyKey:
    """The counter of the votes for `option`."""
    return TallyKey(OPTION_PREFIX + option)


def tally_key(outcome: str, choice: str | None) -> TallyKey:
    """The counter one contest on a sheet adds to: the choice's for a vote, else the outcome's."""
    return option_key(str(choice)) if outcome == "vote" else TallyKey(outcome)


def option_of(key: str) -> str | None:
    """The option a counter counts votes for, or None for blank, overvote and review."""
    return key[len(OPTION_PREFIX) :] if key.startswith(OPTION_PREFIX) else None
