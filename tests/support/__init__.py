"""What tests and benchmarks share: servers (:mod:`tests.support.servers`) and ``passerelle serve`` as a process over
the fake embedder (:mod:`tests.support.processes`)."""
