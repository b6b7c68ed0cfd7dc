"""Settings read from the environment (twelve-factor), with defaults for the embedded mode."""

from config.settings import Config, DevelopmentConfig, ProductionConfig, TestingConfig, load_config

__all__ = ["Config", "DevelopmentConfig", "ProductionConfig", "TestingConfig", "load_config"]
