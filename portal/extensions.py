"""Flask extensions, created unbound. ``portal.app.create_app`` binds them; every module imports them
from here, never from ``portal``, so no import cycles can appear."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Memory storage in development, Redis in production (RATELIMIT_STORAGE_URI); see portal.config.
limiter = Limiter(get_remote_address, default_limits=[])
