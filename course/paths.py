"""Where things live in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_FILE = ROOT / ".env"
ENV_EXAMPLE_FILE = ROOT / ".env.example"
SERVICES_DIR = ROOT / ".services"
COMPOSE_FILE = ROOT / "docker-compose.yml"
