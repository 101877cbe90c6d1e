"""What every wing shares: the errors and the crash log, the record of one replication,
the metric catalogue, statistics, thresholds, the garbage-collection policy."""
