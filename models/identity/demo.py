"""Demo employees of every role with their departments, managers and deputies.

Every user is looked up by login before it is created, so loading again adds nothing. Demo
users get the password ``demo``; the CLI refuses to load demo data in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import User, ensure_departments

DEMO_PASSWORD = "demo"  # noqa: S105  (demo data only; refused in production)


@dataclass(frozen=True)
class DemoUser:
    login: str
    full_name: str
    role: str
    department: str
    manager: str | None = None
    deputy: str | None = None


DEMO_USERS = (
    DemoUser("admin", "Администратор Системы", "admin", "management"),
    DemoUser("head", "Виктор Андреевич Орлов", "head", "management"),
    DemoUser("senior", "Ольга Викторовна Кузнецова", "senior_manager", "sales", "head"),
    DemoUser("manager", "Иван Сергеевич Петров", "manager", "sales", "senior", "manager2"),
    DemoUser("manager2", "Мария Александровна Смирнова", "manager", "sales", "senior", "manager"),
    DemoUser("manager3", "Алексей Дмитриевич Соколов", "manager", "sales", "senior", "manager2"),
    DemoUser("backoffice", "Елена Павловна Васильева", "back_office", "deal_support", "head"),
    DemoUser("lawyer", "Дмитрий Олегович Новиков", "lawyer", "legal", "head"),
    DemoUser("underwriter", "Наталья Игоревна Морозова", "underwriter", "underwriting", "head"),
    DemoUser("product", "Сергей Николаевич Волков", "product_specialist", "underwriting", "head"),
    DemoUser("analyst", "Анна Михайловна Лебедева", "analyst", "management", "head"),
)

def ensure_demo_users(session: Session, password_hash: str | None = None) -> int:
    """Create missing demo employees; existing ones keep their passwords.

    ``password_hash`` lets callers that create users often (tests) hash «demo» once. The users are
    read in one statement and the missing ones written in one flush: a lookup per login flushed
    each new user on its own, 40 statements where a few do (every test with demo users paid them).
    """
    departments = ensure_departments(session)
    logins = [spec.login for spec in DEMO_USERS]
    users = {u.login: u for u in session.scalars(select(User).where(User.login.in_(logins)))}
    created = 0
    for spec in DEMO_USERS:
        if spec.login not in users:
            user = User(login=spec.login, full_name=spec.full_name, role=spec.role,
                        department=departments[spec.department],
                        email=f"{spec.login}@demo.crm.local", is_active=True)
            if password_hash:
                user.password_hash = password_hash
            else:
                user.set_password(DEMO_PASSWORD)
            session.add(user)
            users[spec.login] = user
            created += 1
    session.flush()  # ids first; managers and deputies are set by id (manager ↔ manager2 is a cycle)
    for spec in DEMO_USERS:
        user = users[spec.login]
        if spec.manager and user.manager_id is None:
            user.manager_id = users[spec.manager].id
        if spec.deputy and user.deputy_id is None:
            user.deputy_id = users[spec.deputy].id
    departments["sales"].head_id = users["senior"].id
    departments["management"].head_id = users["head"].id
    session.flush()
    return created
