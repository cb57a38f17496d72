"""The six layers of issue 3; a finding's `layer` names the one that found it."""

EVASION = "evasion"  # found in decoded base64, hex, URL-encoded, ROT13 or reversed text
INTERNATIONAL_ID = "international_id"  # national identity numbers, checksum-validated
FAST_PATH = "fast_path"  # contact, network, financial and secret patterns
ENTROPY = "entropy"  # high-entropy strings that look like secrets
CUSTOM = "custom"  # a tenant's, department's or user's own rule
NORMALISATION = "normalisation"  # found only after NFKC, confusables, leetspeak, respacing
