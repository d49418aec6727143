"""How a run ended, as its caller sees it: an outcome, not an exception."""

from __future__ import annotations

from dataclasses import dataclass

from sagas.models import SagaRun, StepStatus


@dataclass(frozen=True)
class RunResult:
    """A run that completed, rolled back cleanly, or is still on its way.

    A rollback is an outcome like any other: ``compensated`` is True, and
    ``failed_step``, ``error`` and ``error_code`` say what made it roll back
    (``error_code`` is the failed step's application error code, such as
    ``out_of_stock``; a cancellation has none). A run that needs a person is
    not a result: the engine raises ``NeedsReview`` for it.
    """

    run: SagaRun

    @property
    def status(self) -> str:
        """Return the run's status (``completed``, ``compensated``, ``running`` ...)."""
        return self.run.status

    @property
    def completed(self) -> bool:
        """Return whether every step completed."""
        return self.run.status == SagaRun.Status.COMPLETED

    @property
    def compensated(self) -> bool:
        """Return whether the run rolled back (a failure, or a cancellation)."""
        return self.run.status == SagaRun.Status.COMPENSATED

    @property
    def finished(self) -> bool:
        """Return whether the run reached an end (completed or compensated)."""
        return self.completed or self.compensated

    @property
    def failed_step(self) -> str:
        """Return the name of the step whose failure rolled the run back, if any."""
        failed = self._failed()
        return failed.name if failed else ""

    @property
    def error(self) -> str:
        """Return why the run rolled back, as recorded on the run."""
        return self.run.error

    @property
    def error_code(self) -> str:
        """Return the failed step's error code (``out_of_stock``), if any."""
        failed = self._failed()
        return failed.error_code if failed else ""

    def _failed(self):
        return next(
            (row for row in self.run.step_rows if row.status == StepStatus.FAILED),
            None,
        )
