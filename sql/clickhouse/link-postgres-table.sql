-- A table of the link, read straight from PostgreSQL's table of the same name; every setting is bound.
CREATE TABLE {{table}}
ENGINE = PostgreSQL({host_port:String}, {database:String}, {table:String},
                    {user:String}, {password:String})
