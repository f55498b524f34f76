"""Every configuration key of the service, declared once with its default and meaning.

Values are read in this order, each overriding the previous one: the defaults below,
then ``instance/guichet.cfg`` (a Python file), then ``GUICHET_*`` environment variables
(Flask ``from_prefixed_env``), then the ``test_config`` mapping given to ``create_app``.
"""

from dataclasses import dataclass
from pathlib import Path

# The checkout (or installed tree): templates/, node_modules/ and the shipped data live under it.
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    meaning: str


SETTINGS = (
    Setting("DATABASE_URL", None, "SQLAlchemy URL of the store; default: a SQLite file under instance/"),
    Setting("SEARCH_BACKEND", "sqlite", "search backend: 'sqlite' (embedded FTS5) or 'elasticsearch'"),
    Setting("SEARCH_SQLITE_PATH", None, "file of the embedded search index; default: instance/search.sqlite3"),
    Setting("ELASTICSEARCH_URL", "http://127.0.0.1:9200", "URL of the Elasticsearch node, or comma-separated URLs of the cluster's nodes"),
    Setting("ELASTICSEARCH_INDEX", "guichet-programmes", "alias of the programmes index"),
    Setting("SEARCH_SYNC_LAG", 900, "seconds (three repair rounds) a change may take to reach the search index before /healthz "
            "answers 503 « index incomplet »"),
    Setting("SEARCH_REPAIR_MINUTES", 5, "the scheduler repairs the index (outbox, missing documents) every this "
            "many minutes, and once at start-up"),
    Setting("HEALTH_TOKEN", None, "token (Authorization: Bearer …) that shows /healthz's details to operators; "
            "staff logged in and, in development, loopback requests see them too"),
    Setting("SMTP_HOST", "127.0.0.1", "SMTP relay host"),
    Setting("SMTP_PORT", 25, "SMTP relay port"),
    Setting("SMTP_USER", None, "SMTP user name, if the relay needs authentication"),
    Setting("SMTP_PASSWORD", None, "SMTP password"),
    Setting("SMTP_TLS", False, "use STARTTLS with the SMTP relay"),
    Setting("SMTP_TIMEOUT", 30.0, "seconds before the SMTP relay is considered unreachable"),
    Setting("SUBSCRIPTION_LIMIT_PER_ADDRESS", 3, "subscription requests accepted per email address and hour"),
    Setting("SUBSCRIPTION_LIMIT_PER_IP", 20, "subscription requests accepted per IP address and hour"),
    Setting("DIGEST_PERMANENT_FAILURE_LIMIT", 3, "consecutive permanent rejections (5xx) of digests that disable a subscription"),
    Setting("MAIL_FROM", "Guichet <ne-pas-repondre@guichet.local>", "sender of every email"),
    Setting("SECRET_KEY", "dev-only-secret-change-me", "signs sessions and CSRF tokens; outside development the service "
            "refuses to start with this default or a key shorter than 32 characters; in development a random key "
            "is generated once into instance/secret_key"),
    Setting("LINK_SECRET_KEY", None, "signs subscription links (confirm, manage, unsubscribe); default: derived "
            "from SECRET_KEY with HMAC, so that a link never reveals the session key"),
    Setting("TRUSTED_PROXIES", 0, "number of reverse proxies in front of the service whose X-Forwarded-For/-Proto/"
            "-Host headers are trusted (werkzeug ProxyFix); 0: none, the client address is the socket's"),
    Setting("BASE_URL", "http://127.0.0.1:5000", "public URL of the service, used in emails and feeds"),
    Setting("PORT", 5000, "port of the web server started by `guichet run` / `guichet serve`"),
    Setting("HOST", "127.0.0.1", "interface the web server listens on"),
    Setting("WEB_WORKERS", 1, "web server processes started by `guichet run` / `guichet serve` (one listening socket, "
                              "8 threads each); `--workers N` overrides it"),
    Setting("ENV", "development", "'development' or 'production' (production sets Secure cookies and HSTS, and "
            "refuses a weak SECRET_KEY)"),
    Setting("OFFLINE", True, "sources are not reachable: the UI says that the data comes from recorded responses"),
    Setting("AIDES_TERRITOIRES_TOKEN", None, "API token of Aides-territoires (X-AUTH-TOKEN)"),
    Setting("ADEME_CLIENT_ID", None, "client_id of ADEME's API (Agir pour la transition)"),
    Setting("ADEME_CLIENT_SECRET", None, "client_secret of ADEME's API (Agir pour la transition)"),
    Setting("SCRAPER_DELAY", 1.0, "seconds between two requests to one host"),
    Setting("SCRAPER_TIMEOUT", 30.0, "seconds before a source request times out"),
    Setting("SCRAPER_BACKOFF", 0.5, "backoff factor of the retries on connection errors, 429 and 5xx (seconds)"),
    Setting("SOURCES_REPLAY_DIR", None, "directory of recorded source responses (e.g. scrapers/recorded): when set, "
            "scrapers replay them instead of calling the live sites, and programmes are marked as recorded"),
    Setting("SOURCES_REPLAY_URL", None, "base URL of a replay server answering for every source host "
            "(tests and benchmarks); programmes are marked as recorded"),
    Setting("SOURCES_ALLOW_PRIVATE_ADDRESSES", False, "let scrapers reach private, loopback and link-local addresses "
            "(a local mirror of a source); refused by default, replayed responses aside"),
    Setting("PROJECTS_INDEX_PATH", None, "file of the embedded index of funded projects; default: instance/projects.sqlite3"),
    Setting("COMMUNES_DATA_DIR", None, "folder of the commune reference JSON files; default: node_modules/@etalab/decoupage-administratif/data"),
    Setting("TERRITORIES_SOURCE_URLS", {}, "official list key → open-data URL that `guichet territories refresh` downloads (overrides the defaults of guichet/territories/lists.py)"),
    Setting("SCHEDULER_ENABLED", True, "`guichet run` starts the scheduler beside the web server"),
    Setting("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, "failed back-office logins on one account before each try must "
            "wait LOGIN_FIRST_DELAY (or more)"),
    Setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, "failed back-office logins from one IP address before each try "
            "must wait LOGIN_FIRST_DELAY (or more)"),
    Setting("LOGIN_THROTTLE_WINDOW", 900, "seconds over which failed back-office logins are counted"),
    Setting("LOGIN_FIRST_DELAY", 30, "seconds the next login must wait once an account or address reached its "
            "limit of failures; doubled by each further failure (a delay, never a lock)"),
    Setting("LOGIN_MAX_DELAY", 300, "longest wait between two logins of a throttled account or address (seconds)"),
    Setting("LOGIN_LINK_MINUTES", 15, "minutes a back-office login link sent by e-mail stays valid (used once)"),
    Setting("LOGIN_LINKS_PER_ACCOUNT", 3, "login links e-mailed to one account per hour; past it, none is sent"),
    Setting("LOGIN_LINKS_PER_ADDRESS", 10, "login link requests accepted from one IP address per hour"),
)


def defaults():
    return {setting.name: setting.default for setting in SETTINGS}
