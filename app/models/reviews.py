"""Review (复查) and re-review (复核) of a concluded case: asked within 30 days of the
written answer, answered within 30 days (《信访工作条例》 Art. 35, 36); after the
re-review the matter is concluded at three levels (三级终结)."""

import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.models.cases import Case


class CaseReview(Model):
    __tablename__ = "case_review"
    __table_args__ = (
        CheckConstraint("stage IN ('review','re_review')", name="ck_case_review_stage"),
        CheckConstraint("status IN ('pending','answered')", name="ck_case_review_status"),
        UniqueConstraint("case_id", "stage", name="uq_case_review_stage"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    stage = Column(String(10), nullable=False)
    reason = Column(Text, nullable=False)
    requested_on = Column(Date, nullable=False, default=datetime.date.today)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"))
    answer_due_on = Column(Date, nullable=False)
    status = Column(String(10), nullable=False, default="pending")
    answered_on = Column(Date)
    answered_by_id = Column(Integer, ForeignKey("ab_user.id"))
    opinion = Column(Text)
    upheld = Column(Boolean)

    case = relationship("Case")
    requested_by = relationship("StaffUser", foreign_keys=[requested_by_id])
    answered_by = relationship("StaffUser", foreign_keys=[answered_by_id])

    @property
    def on_time(self) -> bool | None:
        if self.answered_on is None:
            return None
        return self.answered_on <= self.answer_due_on

    @classmethod
    def scope_clause(cls, scope):
        return scope.via(cls.case_id, Case)
