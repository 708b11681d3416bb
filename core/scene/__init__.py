"""The sample scene: a deterministic oasis basin with planted truth (docs/scene.md is the contract)."""
from .build import SceneResult, generate_scene
from .config import DEFAULT_SEED, SIZES

__all__ = ["generate_scene", "SceneResult", "SIZES", "DEFAULT_SEED"]
