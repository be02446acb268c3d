"""The Bluejay API's address: where the key goes unless ``--base-url`` /
``BLUEJAY_BASE_URL`` says otherwise. Its own module, free of imports, so the CLI can show it
without loading the HTTP stack (``bluejay-gate --version`` stays fast)."""

DEFAULT_BASE_URL = "https://api.getbluejay.ai"
