"""The statistics ingest's public names, gathered from the modules that do each job.

- kinmon.ingest.registry: data/series.json (series, their shapes across releases, registered releases)
- kinmon.ingest.geography: data/geography.csv, the place lookup
- kinmon.ingest.observations: writing observations, series and releases by column name
- kinmon.ingest.ees_api: the live EES API path (`ingest statistics`)
- kinmon.ingest.file_load: one EES tidy file (`ingest file`)
- kinmon.ingest.extract: the shipped extract of DfE's real files (`extract-statistics`)
"""

from kinmon.ingest.ees_api import SOURCE_NAME, ingest_statistics, load_statistics
from kinmon.ingest.file_load import FILE_SOURCE_NAME, ReleaseOptions, file_series_id, ingest_file, load_file
from kinmon.ingest.geography import GEOGRAPHY_PATH, load_geography, read_geography
from kinmon.ingest.observations import StatisticsCounts, observations, refresh_latest, write_observations
from kinmon.ingest.registry import (REGISTRY_PATH, DatasetMatch, RegistryError, ReleaseSpec, SeriesSpec, Variant,
                                    load_registry, load_releases)

__all__ = ["DatasetMatch", "FILE_SOURCE_NAME", "GEOGRAPHY_PATH", "REGISTRY_PATH", "RegistryError", "ReleaseOptions",
           "ReleaseSpec", "SOURCE_NAME", "SeriesSpec", "StatisticsCounts", "Variant", "file_series_id",
           "ingest_file", "ingest_statistics", "load_file", "load_geography", "load_registry", "load_releases",
           "load_statistics", "observations", "read_geography", "refresh_latest", "write_observations"]
