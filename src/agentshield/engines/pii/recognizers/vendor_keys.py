"""API keys and tokens that a vendor marks with a prefix of its own, by their published
formats: found whatever key names them (`GITLAB_TOKEN=glpat-…`, `SHOPIFY_TOKEN=shpat_…`),
or none. AUTH_TOKEN's recognizer reports them; keys with a type of their own (OpenAI,
GitHub, Slack, Stripe, AWS, Google) have their recognizers.

Each entry is (vendor, regex of the whole key). A prefix alone proves little, so each
regex also fixes the key's alphabet and length.
"""

from __future__ import annotations

FORMATS = (
    ("Anthropic", r"sk-ant-(?:api|admin|oat|ort)\d\d-[A-Za-z0-9_-]{40,}"),
    ("OpenRouter", r"sk-or-v1-[0-9a-f]{64}"),
    ("Groq", r"gsk_[A-Za-z0-9]{48,}"),
    ("Hugging Face", r"hf_[A-Za-z0-9]{34,}"),
    ("Replicate", r"r8_[A-Za-z0-9]{37}"),
    ("LangSmith", r"lsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}"),
    ("Perplexity", r"pplx-[A-Za-z0-9]{48}"),
    ("xAI", r"xai-[A-Za-z0-9]{70,}"),
    ("NVIDIA", r"nvapi-[A-Za-z0-9_-]{60,}"),
    ("Pinecone", r"pcsk_[A-Za-z0-9_]{40,}"),
    ("GitLab", r"gl(?:pat|dt|rt|ptt|ft|imt|oas|soat|cbt|agent)-[A-Za-z0-9_.-]{20,}"),
    ("Bitbucket", r"ATBB[A-Za-z0-9_=.-]{32,}"),
    ("Atlassian", r"ATATT3[A-Za-z0-9_=-]{180,}"),
    ("npm", r"npm_[A-Za-z0-9]{36}"),
    ("PyPI", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("Docker Hub", r"dckr_pat_[A-Za-z0-9_-]{27,}"),
    ("HashiCorp Vault", r"hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    ("Pulumi", r"pul-[0-9a-f]{40}"),
    ("DigitalOcean", r"do[opr]_v1_[0-9a-f]{64}"),
    ("Shopify", r"shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}"),
    ("Square", r"sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}"),
    ("SendGrid", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("Brevo", r"xkeysib-[0-9a-f]{64}-[A-Za-z0-9]{16}"),
    ("Mailgun", r"key-[0-9a-f]{32}"),
    ("Notion", r"ntn_[A-Za-z0-9]{40,}"),
    ("Linear", r"lin_api_[A-Za-z0-9]{40}"),
    ("Figma", r"figd_[A-Za-z0-9_-]{40,}"),
    ("Airtable", r"pat[A-Za-z0-9]{14}\.[0-9a-f]{64}"),
    ("Postman", r"PMAK-[0-9a-f]{24}-[0-9a-f]{34}"),
    ("New Relic", r"NRAK-[A-Z0-9]{27}"),
    ("Dynatrace", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    ("Grafana", r"glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}"),
    ("Sentry", r"sntry[su]_[A-Za-z0-9+/=_-]{50,}"),
    ("Databricks", r"dapi[0-9a-f]{32}(?:-\d)?"),
    ("Supabase", r"sbp_[0-9a-f]{40}"),
    ("Doppler", r"dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9_-]{40,}"),
    ("Tailscale", r"tskey-(?:auth|api|client|webhook)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}"),
    ("Netlify", r"nfp_[A-Za-z0-9]{36}"),
    ("1Password", r"ops_eyJ[A-Za-z0-9+/=_-]{100,}"),
)
